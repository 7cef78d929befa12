import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import type { LazyMount } from '../lib/lazy-routes';
import type { OpenApiConfig } from '../lib/openapi';

const apiDescription: OpenApiConfig = {
  openapi: '3.1.0',
  info: {
    title: 'Gazette API',
    version: '1.0.0',
    description:
      'Public read API of Gazette, an edge-native news content service. Errors are RFC 9457 problem documents.',
  },
  servers: [{ url: '/' }],
  // Public operations say so (security: []); admin ones declare the bearer scheme.
  security: [],
};

/**
 * /api/openapi.json's document: every feature the app mounts (each built now, if no request has
 * built it yet), at the prefix the app mounts it, plus the admin API's paths, bearer security
 * scheme and schemas.
 */
export async function apiDocument(mounts: readonly LazyMount[]) {
  const api = new OpenAPIHono<AppEnv>();
  // OpenAPIHono sub-apps bring their route descriptions along into api's registry.
  for (const { prefix, load } of mounts) api.route(prefix, await load());
  const doc = api.getOpenAPI31Document(apiDescription);
  const adminDoc = (await import('../authoring/routes')).adminDescription();
  return {
    ...doc,
    paths: { ...doc.paths, ...adminDoc.paths },
    components: {
      ...doc.components,
      schemas: { ...doc.components?.schemas, ...adminDoc.components?.schemas },
      securitySchemes: {
        ...doc.components?.securitySchemes,
        ...adminDoc.components?.securitySchemes,
      },
    },
  };
}
