CREATE TABLE `code_refs` (
	`repository` text NOT NULL,
	`flag_key` text NOT NULL,
	`path` text NOT NULL,
	`line` integer NOT NULL,
	`commit` text NOT NULL,
	`branch` text,
	`pushed_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`repository`, `flag_key`, `path`, `line`)
);
--> statement-breakpoint
CREATE INDEX `code_refs_flag` ON `code_refs` (`flag_key`);