CREATE TABLE `media` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`hash` text NOT NULL,
	`size` integer NOT NULL,
	`type` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`created_by` text,
	CONSTRAINT "media_hash_check" CHECK(length("media"."hash") = 64),
	CONSTRAINT "media_size_check" CHECK("media"."size" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `media_hash_name_unique` ON `media` (`hash`,`name`);--> statement-breakpoint
ALTER TABLE `attachments` ADD `media_id` integer REFERENCES media(id);--> statement-breakpoint
CREATE INDEX `attachments_media_idx` ON `attachments` (`media_id`);