import type { z } from '@hono/zod-openapi';
import { requireRole } from '../auth/middleware';

/**
 * The building blocks every admin API operation is declared with (articles, revisions,
 * taxonomy, tokens, webhooks, media): its security requirement, the roles that may call it,
 * and its JSON bodies (responses: jsonContent in src/lib/openapi.ts).
 */

/** The admin API's one security scheme (registered as bearerAuth in src/authoring/routes.ts). */
export const security = [{ bearerAuth: [] }];
export const writers = requireRole('admin', 'editor');
export const readers = requireRole('admin', 'editor', 'reader-preview');

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true as const,
  content: { 'application/json': { schema } },
});

/** PATCH also takes application/merge-patch+json (RFC 7396). */
export const mergePatchBody = <T extends z.ZodType>(schema: T) => ({
  required: true as const,
  content: {
    'application/json': { schema },
    'application/merge-patch+json': { schema },
  },
});

export const optionalJsonBody = <T extends z.ZodType>(schema: T) => ({
  required: false as const,
  content: { 'application/json': { schema } },
});
