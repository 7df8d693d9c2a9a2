CREATE TABLE `outbox_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`last_id` integer NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
