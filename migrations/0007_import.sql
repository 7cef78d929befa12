ALTER TABLE `articles` ADD `external_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `articles_external_id_unique` ON `articles` (`external_id`);