import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { auditStatement, type Actor } from '../authoring/audit';
import type { Database } from '../db/client';
import { webhookEventTypes, webhooks, type WebhookEventType } from '../db/schema';
import { nowDate } from '../lib/clock';
import { AppError } from '../lib/errors';
import { webhookDelivery } from './client';
import type { DeliveryRecord } from './delivery';
import {
  deleteWebhookStatement,
  findWebhook,
  insertWebhookStatement,
  updateWebhookStatement,
  webhookInfo,
  type WebhookInfo,
} from './queries';
import { generateWebhookSecret } from './signing';

/**
 * The webhook commands: the one write path of the admin API (src/webhooks/routes.ts) and the
 * admin pages (src/admin/ops-pages.tsx). Each writes the hook and its audit row in one batch.
 */

const loopback = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where deliveries may go: https anywhere, plain http only to this machine (local
 * development and tests). No credentials in the URL: they would show in every log line.
 */
export const hookUrl = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      if (url.username || url.password) return false;
      return url.protocol === 'https:' || (url.protocol === 'http:' && loopback.has(url.hostname));
    } catch {
      return false;
    }
  }, 'must be an https URL (http only for localhost) without credentials')
  .openapi({ example: 'https://hooks.example.cn/gazette' });

export const eventList = z
  .array(z.enum(webhookEventTypes))
  .min(1)
  .refine((events) => new Set(events).size === events.length, 'must not repeat an event')
  .openapi({ example: ['article.published', 'article.updated'] });

export interface WebhookAudit {
  actor: Actor;
  requestId: string | null;
}

export interface NewWebhook {
  url: string;
  description: string;
  events: WebhookEventType[];
}

/**
 * Creates a hook with a new signing secret, returned here only (it is never shown again).
 * The next id is chosen here so the hook and its audit row go in one batch (one transaction).
 * Two creates racing for it: one wins, the other's batch fails on the key and tries again.
 */
export async function createWebhookCommand(
  db: Database,
  input: NewWebhook,
  audit: WebhookAudit,
): Promise<{ webhook: WebhookInfo; secret: string }> {
  const secret = generateWebhookSecret();
  const at = nowDate();
  for (let attempt = 0; ; attempt++) {
    const [{ next }] = (await db
      .select({ next: sql<number>`coalesce(max(${webhooks.id}), 0) + 1` })
      .from(webhooks)) as [{ next: number }];
    try {
      const [rows] = await db.batch([
        insertWebhookStatement(db, { ...input, secret, at, id: next }),
        auditStatement(db, {
          ...audit,
          at,
          action: 'webhook.create',
          targetType: 'webhook',
          targetId: next,
          changedFields: ['url', 'description', 'events'],
          outcome: 'ok',
        }),
      ]);
      return { webhook: webhookInfo(rows[0]!), secret };
    } catch (err) {
      if (attempt >= 2 || !/UNIQUE|PRIMARY KEY/i.test(String((err as Error)?.cause ?? err))) {
        throw err;
      }
    }
  }
}

export interface WebhookPatch {
  url?: string;
  events?: WebhookEventType[];
  description?: string;
  active?: boolean;
}

/** Changes a hook; disabling cancels its pending deliveries. Null when there is no such hook. */
export async function updateWebhookCommand(
  db: Database,
  env: Env,
  id: number,
  patch: WebhookPatch,
  audit: WebhookAudit,
): Promise<WebhookInfo | null> {
  const at = nowDate();
  const [rows] = await db.batch([
    updateWebhookStatement(db, id, { ...patch, at }),
    auditStatement(
      db,
      {
        ...audit,
        at,
        action:
          patch.active === false
            ? 'webhook.disable'
            : patch.active === true && Object.keys(patch).length === 1
              ? 'webhook.enable'
              : 'webhook.update',
        targetType: 'webhook',
        targetId: id,
        changedFields: Object.keys(patch),
        outcome: 'ok',
      },
      sql`exists (select 1 from ${webhooks} where ${webhooks.id} = ${id})`,
    ),
  ]);
  const row = rows[0];
  if (!row) return null;
  if (!row.active) await webhookDelivery(env, id).cancelPending();
  return webhookInfo(row);
}

/** Deletes a hook with its pending deliveries and its log; false when there is no such hook. */
export async function deleteWebhookCommand(
  db: Database,
  env: Env,
  id: number,
  audit: WebhookAudit,
): Promise<boolean> {
  if (!(await findWebhook(db, id))) return false;
  const [deleted] = await db.batch([
    deleteWebhookStatement(db, id),
    auditStatement(db, {
      ...audit,
      at: nowDate(),
      action: 'webhook.delete',
      targetType: 'webhook',
      targetId: id,
      outcome: 'ok',
    }),
  ]);
  if (!deleted.length) return false;
  await webhookDelivery(env, id).purge();
  return true;
}

/**
 * Sends a finished delivery (delivered, failed or cancelled) again: the same event and body,
 * to the hook's current URL, signed with its current secret, retried as a new delivery would
 * be. 404 for an unknown hook or delivery, 409 for a disabled hook or a delivery still pending.
 */
export async function redeliverWebhookCommand(
  db: Database,
  env: Env,
  hookId: number,
  deliveryId: string,
  audit: WebhookAudit,
): Promise<DeliveryRecord> {
  const hook = await findWebhook(db, hookId);
  if (!hook) throw new AppError('not_found', { detail: `No webhook ${hookId}` });
  if (!hook.active) {
    throw new AppError('conflict', { detail: `Webhook ${hookId} is disabled; enable it first` });
  }
  const result = await webhookDelivery(env, hookId).redeliver(deliveryId, {
    url: hook.url,
    secret: hook.secret,
  });
  if (result === 'not_found') {
    throw new AppError('not_found', { detail: `No delivery ${deliveryId} of webhook ${hookId}` });
  }
  if (result === 'pending') {
    throw new AppError('conflict', { detail: `Delivery ${deliveryId} is still being attempted` });
  }
  await auditStatement(db, {
    ...audit,
    action: 'webhook.redeliver',
    targetType: 'webhook',
    targetId: hookId,
    outcome: 'ok',
  });
  return result;
}
