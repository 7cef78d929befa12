CREATE TABLE `article_documents` (
	`article_id` integer PRIMARY KEY NOT NULL,
	`prev_id` integer,
	`next_id` integer,
	`document` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `article_documents_prev_idx` ON `article_documents` (`prev_id`);--> statement-breakpoint
CREATE INDEX `article_documents_next_idx` ON `article_documents` (`next_id`);