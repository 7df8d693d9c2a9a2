CREATE TABLE `idempotency_keys` (
	`actor_id` text NOT NULL,
	`key` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`actor_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
ALTER TABLE `admin_tokens` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `admin_tokens` ADD `replaced_by` text;--> statement-breakpoint
ALTER TABLE `environments` ADD `delivered_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `environments` ADD `delivery_pending_since` integer;--> statement-breakpoint
ALTER TABLE `environments` ADD `delivery_error` text;--> statement-breakpoint
ALTER TABLE `flags` ADD `protective_state` text DEFAULT 'off' NOT NULL;--> statement-breakpoint
ALTER TABLE `sdk_keys` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `sdk_keys` ADD `replaced_by` text;