CREATE TABLE `change_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`environment` text NOT NULL,
	`flag_key` text NOT NULL,
	`action` text NOT NULL,
	`proposal` text NOT NULL,
	`base_version` integer NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`required_approvals` integer NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`apply_at` integer,
	`in_snapshot` integer DEFAULT false NOT NULL,
	`author_id` text NOT NULL,
	`author` text NOT NULL,
	`reason` text,
	`outcome` text,
	`applied_version` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`environment`) REFERENCES `environments`(`key`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`flag_key`) REFERENCES `flags`(`key`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `change_requests_env` ON `change_requests` (`environment`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `change_requests_due` ON `change_requests` (`status`,`apply_at`);--> statement-breakpoint
ALTER TABLE `environments` ADD `required_approvals` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `flag_configs` ADD `scheduled_switch` text;