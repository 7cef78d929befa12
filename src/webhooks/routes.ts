import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/middleware';
import { primaryDb } from '../auth/session';
import { auditContext } from '../authoring/audit';
import { validationHook } from '../authoring/http';
import type { Database } from '../db/client';
import { webhookEventTypes } from '../db/schema';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { jsonContent, problemResponses } from '../lib/openapi';
import { deliveryLog } from './client';
import type { DeliveryRecord } from './delivery';
import {
  createWebhookCommand,
  deleteWebhookCommand,
  eventList,
  hookUrl,
  redeliverWebhookCommand,
  updateWebhookCommand,
} from './commands';
import { findWebhook, listWebhooks, webhookInfo, type WebhookInfo } from './queries';
import { jsonBody, security } from '../authoring/openapi';
import { adminPageLimit, idParams } from '../authoring/schemas';

const webhookView = z
  .object({
    id: z.number().int(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.enum(webhookEventTypes)),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Webhook');

const attemptView = z.object({
  n: z.number().int(),
  at: z.string(),
  durationMs: z.number().int(),
  status: z
    .number()
    .int()
    .nullable()
    .openapi({ description: "The receiver's HTTP status; null when none came" }),
  error: z.string().nullable(),
});

const deliveryView = z
  .object({
    id: z.string(),
    eventId: z.string(),
    type: z.enum(webhookEventTypes),
    url: z.string(),
    status: z.enum(['pending', 'delivered', 'failed', 'cancelled']),
    createdAt: z.string(),
    nextAttemptAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    attempts: z.array(attemptView),
  })
  .openapi('WebhookDelivery');

function present(info: WebhookInfo) {
  return {
    id: info.id,
    url: info.url,
    description: info.description,
    events: info.events,
    active: info.active,
    createdAt: info.createdAt.toISOString(),
    updatedAt: info.updatedAt.toISOString(),
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function presentDelivery(d: DeliveryRecord) {
  return {
    ...d,
    createdAt: new Date(d.createdAt).toISOString(),
    nextAttemptAt: iso(d.nextAttemptAt),
    completedAt: iso(d.completedAt),
    attempts: d.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
  };
}

async function existing(db: Database, id: number) {
  const row = await findWebhook(db, id);
  if (!row) throw new AppError('not_found', { detail: `No webhook ${id}` });
  return row;
}

/** `/api/v1/admin/webhooks`: mounted into the admin API with `app.route('/webhooks', …)`. */
export function webhookRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      operationId: 'adminListWebhooks',
      tags: ['Admin: webhooks'],
      summary: 'Every webhook (never its secret)',
      security,
      middleware: [requireRole('admin')] as const,
      responses: {
        200: jsonContent(z.object({ data: z.array(webhookView) }), 'Webhooks, newest first'),
        ...problemResponses(401, 403, 429),
      },
    }),
    async (c) => {
      const rows = await listWebhooks(primaryDb(c));
      return c.json({ data: rows.map((r) => present(webhookInfo(r))) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      operationId: 'adminCreateWebhook',
      tags: ['Admin: webhooks'],
      summary: 'Register a URL for article events; the signing secret is in this response only',
      security,
      middleware: [requireRole('admin')] as const,
      request: {
        body: jsonBody(
          z
            .object({
              url: hookUrl,
              events: eventList,
              description: z.string().trim().max(200).optional(),
            })
            .strict(),
        ),
      },
      responses: {
        201: jsonContent(
          z.object({ data: webhookView.extend({ secret: z.string() }) }),
          'The new webhook, with its signing secret',
        ),
        ...problemResponses(400, 401, 403, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { webhook, secret } = await createWebhookCommand(
        primaryDb(c),
        { url: body.url, description: body.description ?? '', events: body.events },
        auditContext(c),
      );
      c.header('Location', `/api/v1/admin/webhooks/${webhook.id}`);
      return c.json({ data: { ...present(webhook), secret } }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      operationId: 'adminGetWebhook',
      tags: ['Admin: webhooks'],
      summary: 'One webhook',
      security,
      middleware: [requireRole('admin')] as const,
      request: { params: idParams() },
      responses: {
        200: jsonContent(z.object({ data: webhookView }), 'The webhook'),
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const row = await existing(primaryDb(c), c.req.valid('param').id);
      return c.json({ data: present(webhookInfo(row)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      operationId: 'adminUpdateWebhook',
      tags: ['Admin: webhooks'],
      summary: 'Change, disable or re-enable a webhook',
      description:
        'Disabling (`active: false`) cancels its pending deliveries at once; they stay in the log as cancelled.',
      security,
      middleware: [requireRole('admin')] as const,
      request: {
        params: idParams(),
        body: jsonBody(
          z
            .object({
              url: hookUrl.optional(),
              events: eventList.optional(),
              description: z.string().trim().max(200).optional(),
              active: z.boolean().optional(),
            })
            .strict()
            .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field'),
        ),
      },
      responses: {
        200: jsonContent(z.object({ data: webhookView }), 'The webhook as it is now'),
        ...problemResponses(400, 401, 403, 404, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const info = await updateWebhookCommand(primaryDb(c), c.env, id, patch, auditContext(c));
      if (!info) throw new AppError('not_found', { detail: `No webhook ${id}` });
      return c.json({ data: present(info) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      operationId: 'adminDeleteWebhook',
      tags: ['Admin: webhooks'],
      summary: 'Delete a webhook with its pending deliveries and its log',
      security,
      middleware: [requireRole('admin')] as const,
      request: { params: idParams() },
      responses: {
        204: { description: 'Deleted' },
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await deleteWebhookCommand(primaryDb(c), c.env, id, auditContext(c)))) {
        throw new AppError('not_found', { detail: `No webhook ${id}` });
      }
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/deliveries',
      operationId: 'adminListWebhookDeliveries',
      tags: ['Admin: webhooks'],
      summary: "The hook's delivery log, newest first, with every attempt",
      security,
      middleware: [requireRole('admin')] as const,
      request: {
        params: idParams(),
        query: z
          .object({
            limit: adminPageLimit(),
            before: z
              .string()
              .regex(
                /^[0-9]{1,16}~dlv_[0-9]{1,16}_[0-9a-f]{32}$/,
                'must be meta.nextBefore of a page',
              )
              .optional()
              .openapi({ description: 'meta.nextBefore of the previous page' }),
          })
          .strict(),
      },
      responses: {
        200: jsonContent(
          z.object({
            data: z.array(deliveryView),
            meta: z.object({ nextBefore: z.string().nullable() }),
          }),
          'Deliveries; pass meta.nextBefore as ?before= for older ones',
        ),
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      await existing(primaryDb(c), id);
      const page = await deliveryLog(c.env, id, {
        limit: query.limit ?? 50,
        before: query.before,
      });
      return c.json(
        { data: page.data.map(presentDelivery), meta: { nextBefore: page.nextBefore } },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/deliveries/{delivery}/redeliver',
      operationId: 'adminRedeliverWebhookDelivery',
      tags: ['Admin: webhooks'],
      summary: 'Send a finished delivery again (the same event, signed anew)',
      description:
        "The delivery goes out at once to the hook's current URL with its current secret and is retried as any delivery; its attempts go on counting. 409 while it is still pending or when the hook is disabled.",
      security,
      middleware: [requireRole('admin')] as const,
      request: {
        params: idParams().extend({
          delivery: z
            .string()
            .regex(/^dlv_[0-9]{1,16}_[0-9a-f]{32}$/, 'must be a delivery id')
            .openapi({ param: { name: 'delivery', in: 'path' } }),
        }),
      },
      responses: {
        202: jsonContent(z.object({ data: deliveryView }), 'The delivery, pending again'),
        ...problemResponses(400, 401, 403, 404, 409, 429),
      },
    }),
    async (c) => {
      const { id, delivery } = c.req.valid('param');
      const record = await redeliverWebhookCommand(
        primaryDb(c),
        c.env,
        id,
        delivery,
        auditContext(c),
      );
      return c.json({ data: presentDelivery(record) }, 202);
    },
  );

  return app;
}
