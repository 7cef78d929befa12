DROP INDEX `article_views_daily_day_idx`;--> statement-breakpoint
CREATE INDEX `article_views_daily_day_idx` ON `article_views_daily` (`day`,`article_id`);