CREATE TABLE `channel_listings` (
	`channel_id` integer NOT NULL,
	`published_at` integer NOT NULL,
	`article_id` integer NOT NULL,
	`summary` text NOT NULL,
	PRIMARY KEY(`channel_id`, `published_at`, `article_id`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `channel_listings_article_idx` ON `channel_listings` (`article_id`);