ALTER TABLE `articles` ADD `view_layout` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `articles` ADD `view_layout_at` integer;