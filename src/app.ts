import { buildApp, publicApiMounts, publicSiteMounts, type Writers } from './app-core';
import type { LazyMount } from './lib/lazy-routes';

/**
 * The whole app, writers' routes included: what the admin worker (src/index.ts) and the tests
 * run. The readers' worker runs the same app with these routes forwarded (src/reader-app.ts).
 */

/** Uploads stream past the admin API's 1 MB JSON body limit: mounted before the admin API. */
const mediaAdmin: LazyMount = {
  prefix: '/api/v1',
  paths: ['/admin/media', '/admin/media/*'],
  load: async () => (await import('./media/admin-routes')).mediaAdminRoutes,
};

const preview: LazyMount = {
  prefix: '/',
  paths: ['/preview/*'],
  load: async () => (await import('./authoring/preview-routes')).previewRoutes,
};

/** Every lazily mounted feature, in mount order around the admin API and pages. */
export const apiMounts: readonly LazyMount[] = [...publicApiMounts, mediaAdmin];
export const siteMounts: readonly LazyMount[] = [preview, ...publicSiteMounts];

/** Loaded on the first admin request: the public read path never pays for the admin API's schemas. */
const adminApi = () => import('./authoring/routes');
/** The editors' web UI, loaded likewise on its first request. */
const adminPages = () => import('./admin/routes');

export const inlineWriters: Writers = {
  mount(app, mount) {
    mount(mediaAdmin);
    app.all('/api/v1/admin/*', async (c) => (await adminApi()).dispatch(c));
    app.all('/admin', async (c) => (await adminPages()).dispatchPages(c));
    app.all('/admin/*', async (c) => (await adminPages()).dispatchPages(c));
    mount(preview);
  },
  document: async () =>
    (await import('./docs/openapi-document')).apiDocument([...apiMounts, ...siteMounts]),
};

export function createApp() {
  return buildApp(inlineWriters);
}

export type { App } from './app-core';
