CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`environment` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`requested_by` text NOT NULL,
	`requested_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `approvals_subject` ON `approvals` (`subject`,`status`);--> statement-breakpoint
CREATE TABLE `release_decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` text NOT NULL,
	`at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`stage` integer NOT NULL,
	`action` text NOT NULL,
	`rule` text,
	`evidence` text,
	`actor` text NOT NULL,
	FOREIGN KEY (`plan_id`) REFERENCES `release_plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `release_decisions_plan` ON `release_decisions` (`plan_id`,`at`);--> statement-breakpoint
CREATE TABLE `release_plans` (
	`id` text PRIMARY KEY NOT NULL,
	`environment` text NOT NULL,
	`flag_key` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`treatment_variant` text NOT NULL,
	`baseline_variant` text NOT NULL,
	`stages` text NOT NULL,
	`settings` text NOT NULL,
	`current_stage` integer DEFAULT 0 NOT NULL,
	`stage_started_at` integer,
	`started_at` integer,
	`started_by` text,
	`ended_at` integer,
	`end_reason` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`environment`) REFERENCES `environments`(`key`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`flag_key`) REFERENCES `flags`(`key`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `release_plans_flag` ON `release_plans` (`environment`,`flag_key`,`status`);--> statement-breakpoint
CREATE TABLE `webhook_failures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`payload` text NOT NULL,
	`attempts` integer NOT NULL,
	`last_status` integer,
	`last_error` text,
	`failed_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_failures_hook` ON `webhook_failures` (`webhook_id`,`failed_at`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`events` text NOT NULL,
	`format` text DEFAULT 'json' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
