CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	CONSTRAINT "api_tokens_role_check" CHECK("api_tokens"."role" in ('admin', 'editor', 'reader-preview'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `article_former_slugs` (
	`slug` text PRIMARY KEY NOT NULL,
	`article_id` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `article_former_slugs_article_idx` ON `article_former_slugs` (`article_id`);--> statement-breakpoint
CREATE TABLE `article_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`number` integer NOT NULL,
	`reason` text NOT NULL,
	`actor_name` text NOT NULL,
	`published` integer DEFAULT false NOT NULL,
	`snapshot` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_revisions_article_number_unique` ON `article_revisions` (`article_id`,`number`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_name` text NOT NULL,
	`actor_role` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`request_id` text,
	`changed_fields` text,
	`outcome` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_target_idx` ON `audit_log` (`target_type`,`target_id`,`at`);--> statement-breakpoint
-- Rebuilding articles (SQLite cannot alter a CHECK constraint). D1 keeps foreign keys on, so
-- dropping articles would cascade-delete its tags, attachments and daily views: keep them aside
-- first and put them back after the rename.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__keep_article_tags` AS SELECT * FROM `article_tags`;--> statement-breakpoint
DELETE FROM `article_tags`;--> statement-breakpoint
CREATE TABLE `__keep_attachments` AS SELECT * FROM `attachments`;--> statement-breakpoint
DELETE FROM `attachments`;--> statement-breakpoint
CREATE TABLE `__keep_article_views_daily` AS SELECT * FROM `article_views_daily`;--> statement-breakpoint
DELETE FROM `article_views_daily`;--> statement-breakpoint
CREATE TABLE `__keep_view_rejections_daily` AS SELECT * FROM `view_rejections_daily`;--> statement-breakpoint
DELETE FROM `view_rejections_daily`;--> statement-breakpoint
CREATE TABLE `__new_articles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`channel_id` integer NOT NULL,
	`title` text NOT NULL,
	`subtitle` text DEFAULT '' NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`source` text DEFAULT '' NOT NULL,
	`author` text DEFAULT '' NOT NULL,
	`cover_image_url` text,
	`lang` text DEFAULT 'zh-CN' NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`published_at` integer,
	`view_count` integer DEFAULT 0 NOT NULL,
	`visitor_count` integer DEFAULT 0 NOT NULL,
	`view_base` integer DEFAULT 0 NOT NULL,
	`view_shards` integer DEFAULT 1 NOT NULL,
	`index_number` text,
	`document_number` text,
	`date_written` text,
	`issuing_body` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "articles_status_check" CHECK("__new_articles"."status" in ('draft', 'scheduled', 'published', 'archived', 'deleted')),
	CONSTRAINT "articles_published_at_check" CHECK("__new_articles"."status" not in ('scheduled', 'published') or "__new_articles"."published_at" is not null),
	CONSTRAINT "articles_view_shards_check" CHECK("__new_articles"."view_shards" between 1 and 16)
);
--> statement-breakpoint
INSERT INTO `__new_articles`("id", "slug", "channel_id", "title", "subtitle", "summary", "body", "source", "author", "cover_image_url", "lang", "status", "published_at", "view_count", "visitor_count", "view_base", "view_shards", "index_number", "document_number", "date_written", "issuing_body", "created_at", "updated_at") SELECT "id", "slug", "channel_id", "title", "subtitle", "summary", "body", "source", "author", "cover_image_url", "lang", "status", "published_at", "view_count", "visitor_count", "view_base", "view_shards", "index_number", "document_number", "date_written", "issuing_body", "created_at", "updated_at" FROM `articles`;--> statement-breakpoint
DROP TABLE `articles`;--> statement-breakpoint
ALTER TABLE `__new_articles` RENAME TO `articles`;--> statement-breakpoint
INSERT INTO `article_tags` SELECT * FROM `__keep_article_tags`;--> statement-breakpoint
DROP TABLE `__keep_article_tags`;--> statement-breakpoint
INSERT INTO `attachments` SELECT * FROM `__keep_attachments`;--> statement-breakpoint
DROP TABLE `__keep_attachments`;--> statement-breakpoint
INSERT INTO `article_views_daily` SELECT * FROM `__keep_article_views_daily`;--> statement-breakpoint
DROP TABLE `__keep_article_views_daily`;--> statement-breakpoint
INSERT INTO `view_rejections_daily` SELECT * FROM `__keep_view_rejections_daily`;--> statement-breakpoint
DROP TABLE `__keep_view_rejections_daily`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `articles_slug_unique` ON `articles` (`slug`);--> statement-breakpoint
CREATE INDEX `articles_status_published_idx` ON `articles` (`status`,`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `articles_channel_status_published_idx` ON `articles` (`channel_id`,`status`,`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `articles_status_views_idx` ON `articles` (`status`,`view_count`,`id`);--> statement-breakpoint
CREATE INDEX `articles_updated_idx` ON `articles` (`updated_at`,`id`);