CREATE TABLE `role_bindings` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`role` text NOT NULL,
	`production_access` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `role_bindings_subject` ON `role_bindings` (`kind`,`subject`);--> statement-breakpoint
ALTER TABLE `admin_tokens` ADD `owner` text;