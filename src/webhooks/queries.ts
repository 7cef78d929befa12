import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { webhooks, type WebhookEventType } from '../db/schema';

export type WebhookRow = typeof webhooks.$inferSelect;

/** A hook as the API shows it: never the secret. */
export interface WebhookInfo {
  id: number;
  url: string;
  description: string;
  events: WebhookEventType[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function webhookInfo(row: WebhookRow): WebhookInfo {
  const { secret: _secret, events, ...rest } = row;
  return { ...rest, events: JSON.parse(events) as WebhookEventType[] };
}

export function insertWebhookStatement(
  db: Database,
  input: {
    id: number;
    url: string;
    description: string;
    events: readonly WebhookEventType[];
    secret: string;
    at: Date;
  },
) {
  return db
    .insert(webhooks)
    .values({
      id: input.id,
      url: input.url,
      description: input.description,
      events: JSON.stringify(input.events),
      secret: input.secret,
      active: true,
      createdAt: input.at,
      updatedAt: input.at,
    })
    .returning();
}

export function updateWebhookStatement(
  db: Database,
  id: number,
  patch: {
    url?: string;
    description?: string;
    events?: readonly WebhookEventType[];
    active?: boolean;
    at: Date;
  },
) {
  return db
    .update(webhooks)
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      updatedAt: patch.at,
    })
    .where(eq(webhooks.id, id))
    .returning();
}

export function deleteWebhookStatement(db: Database, id: number) {
  return db.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id });
}

export async function findWebhook(db: Database, id: number): Promise<WebhookRow | null> {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id)).limit(1);
  return row ?? null;
}

export async function listWebhooks(db: Database): Promise<WebhookRow[]> {
  return db.select().from(webhooks).orderBy(desc(webhooks.id));
}

/** Active hooks that subscribe to `type`: the fan-out of one event, in one query. */
export async function subscribedWebhooks(
  db: Database,
  type: WebhookEventType,
): Promise<Pick<WebhookRow, 'id' | 'url' | 'secret'>[]> {
  return db
    .select({ id: webhooks.id, url: webhooks.url, secret: webhooks.secret })
    .from(webhooks)
    .where(
      and(
        eq(webhooks.active, true),
        sql`exists (select 1 from json_each(${webhooks.events}) where value = ${type})`,
      ),
    );
}
