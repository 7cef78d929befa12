import type { ArticleStatus, WebhookEventType } from '../db/schema';

export { webhookEventTypes, type WebhookEventType } from '../db/schema';

/** What the write side reports after a change; see enqueueWebhookEvent(). */
export interface WebhookEvent {
  type: WebhookEventType;
  article: {
    id: number;
    slug: string;
    title: string;
    /** The public page's absolute URL. */
    url: string;
    status: ArticleStatus;
    publishedAt: Date | null;
  };
  /** When the change happened (the write's time, from src/lib/clock.ts). */
  occurredAt: Date;
}

/** The JSON every receiver gets. */
export interface WebhookPayload {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: {
    article: Omit<WebhookEvent['article'], 'publishedAt'> & { publishedAt: string | null };
  };
}

async function digest(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(bytes).slice(0, 16)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

/**
 * The event's id is derived from what happened (type, article, instant), so the write side
 * reporting the same change twice (a retried effect) queues one delivery per hook, not two.
 */
export async function eventId(event: WebhookEvent): Promise<string> {
  return `evt_${await digest(`${event.type}\n${event.article.id}\n${event.occurredAt.toISOString()}`)}`;
}

export function deliveryId(eventIdValue: string, hookId: number): string {
  return `dlv_${hookId}_${eventIdValue.slice(4)}`;
}

export function payloadOf(id: string, event: WebhookEvent): WebhookPayload {
  const a = event.article;
  return {
    id,
    type: event.type,
    createdAt: event.occurredAt.toISOString(),
    data: {
      article: {
        id: a.id,
        slug: a.slug,
        title: a.title,
        url: a.url,
        status: a.status,
        publishedAt: a.publishedAt ? a.publishedAt.toISOString() : null,
      },
    },
  };
}
