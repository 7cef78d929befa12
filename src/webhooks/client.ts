import { createDb } from '../db/client';
import type { DeliveryPage, WebhookDelivery } from './delivery';
import { deliveryId, eventId, payloadOf, type WebhookEvent } from './events';
import { subscribedWebhooks } from './queries';

/** The one way to reach a hook's delivery object. */
export function webhookDelivery(env: Env, hookId: number): DurableObjectStub<WebhookDelivery> {
  return env.WEBHOOK_DELIVERY.get(env.WEBHOOK_DELIVERY.idFromName(`webhook:${hookId}`));
}

/**
 * The write side's one entry point: after an article change has been committed, hand the
 * event here (inside `ctx.waitUntil`, so the editor's response does not wait). Every active
 * hook subscribed to `event.type` gets one delivery, queued in its own object and sent from
 * that object's alarm (signed, retried for a day). Reporting the same event twice queues
 * nothing new. Resolves with how many hooks got a new delivery; rejects if a delivery
 * object could not be reached (the others are queued all the same).
 */
export async function enqueueWebhookEvent(
  env: Env,
  event: WebhookEvent,
): Promise<{ hooks: number; queued: number }> {
  const hooks = await subscribedWebhooks(createDb(env.DB), event.type);
  if (!hooks.length) return { hooks: 0, queued: 0 };
  const id = await eventId(event);
  const body = JSON.stringify(payloadOf(id, event));
  const results = await Promise.allSettled(
    hooks.map((hook) =>
      webhookDelivery(env, hook.id).enqueue({
        id: deliveryId(id, hook.id),
        eventId: id,
        type: event.type,
        hookId: hook.id,
        url: hook.url,
        secret: hook.secret,
        body,
        createdAt: event.occurredAt.getTime(),
      }),
    ),
  );
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) {
    throw new AggregateError(
      failed.map((r) => (r as PromiseRejectedResult).reason),
      `${failed.length} of ${hooks.length} webhook deliveries could not be queued`,
    );
  }
  const queued = results.filter((r) => r.status === 'fulfilled' && r.value.queued).length;
  return { hooks: hooks.length, queued };
}

export async function deliveryLog(
  env: Env,
  hookId: number,
  query: { limit: number; before?: string },
): Promise<DeliveryPage> {
  return webhookDelivery(env, hookId).deliveries(query);
}
