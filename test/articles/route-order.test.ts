import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { articlesRoutes } from '../../src/articles/routes';
import { createApi } from '../../src/lib/openapi';
import { viewsRoutes } from '../../src/views/routes';
import { json, seedArticleInNewChannel } from '../helpers';

/** The public API with the two features that share /articles/... mounted in the given order. */
function apiMountedIn(order: 'views first' | 'articles first') {
  const api = createApi();
  const mounts =
    order === 'views first' ? [viewsRoutes, articlesRoutes] : [articlesRoutes, viewsRoutes];
  for (const routes of mounts) api.route('/api/v1', routes);
  return api;
}

describe('GET /api/v1/articles/popular', () => {
  for (const order of ['views first', 'articles first'] as const) {
    it(`is the ranking, not an article called "popular", with ${order}`, async () => {
      const { channel, id } = await seedArticleInNewChannel();
      const api = apiMountedIn(order);

      const popular = await api.request(
        `/api/v1/articles/popular?window=7d&channel=${channel.slug}`,
        {},
        env,
      );
      expect(popular.status).toBe(200);
      const body = await json(popular);
      expect(body.data).toEqual([]);
      expect(body.meta.window).toBe('7d');

      // The parameterised route still answers everything else under /articles/.
      const article = await api.request(`/api/v1/articles/${id}`, {}, env);
      expect(article.status).toBe(200);
      expect((await json(article)).data.id).toBe(id);
      const views = await api.request(`/api/v1/articles/${id}/views`, {}, env);
      expect(views.status).toBe(200);
      expect(await json(views)).toMatchObject({ views: 0, visitors: 0 });

      const doc = api.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 't', version: '1' },
      });
      expect(doc.paths?.['/api/v1/articles/popular']?.get?.operationId).toBe('listPopularArticles');
      expect(doc.paths?.['/api/v1/articles/{idOrSlug}']?.get?.operationId).toBe('getArticle');
    });
  }
});
