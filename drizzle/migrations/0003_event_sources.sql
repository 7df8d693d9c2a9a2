CREATE TABLE `exposure_quotas` (
	`environment` text NOT NULL,
	`source` text NOT NULL,
	`hour` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`environment`, `source`, `hour`)
);
--> statement-breakpoint
CREATE INDEX `exposure_quotas_hour` ON `exposure_quotas` (`hour`);--> statement-breakpoint
ALTER TABLE `recent_contexts` ADD `source` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `recent_contexts_source` ON `recent_contexts` (`environment`,`source`,`seen_at`);