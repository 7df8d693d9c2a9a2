CREATE TABLE `exposure_counts` (
	`environment` text NOT NULL,
	`flag_key` text NOT NULL,
	`variant` text NOT NULL,
	`hour` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`environment`, `flag_key`, `variant`, `hour`)
);
--> statement-breakpoint
CREATE TABLE `recent_contexts` (
	`environment` text NOT NULL,
	`context_key` text NOT NULL,
	`context` text NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`environment`, `context_key`)
);
--> statement-breakpoint
CREATE INDEX `recent_contexts_seen` ON `recent_contexts` (`environment`,`seen_at`);