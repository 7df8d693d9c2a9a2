CREATE TABLE `flag_evaluations` (
	`environment` text NOT NULL,
	`flag_key` text NOT NULL,
	`day` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`environment`, `flag_key`, `day`)
);
--> statement-breakpoint
CREATE INDEX `flag_evaluations_day` ON `flag_evaluations` (`day`);--> statement-breakpoint
CREATE TABLE `flag_lifecycle` (
	`environment` text NOT NULL,
	`flag_key` text NOT NULL,
	`phase` text NOT NULL,
	`since` integer NOT NULL,
	`variant` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`environment`, `flag_key`)
);
