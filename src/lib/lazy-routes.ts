import type { Context, ErrorHandler, Hono, MiddlewareHandler } from 'hono';
import { Hono as HonoApp } from 'hono';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { AppEnv } from '../env';
import { executionContext, withRequestId } from './sub-app';

type Feature = Hono<AppEnv, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a lazily mounted feature's own request needs from the request the app is handling. */
interface Handoff {
  outer: Context<AppEnv>;
  /** The request as the app received it (a HEAD reaches the feature as a GET: see dispatch). */
  request: Request;
  /** Set when the feature has no route for the request: the app's next mount gets it. */
  unmatched: boolean;
}

const handoffs = new WeakMap<Request, Handoff>();

export interface LazyMount {
  /** Where the app mounts it with app.route() (the feature's own paths are under it). */
  prefix: string;
  /** The feature's paths, as Hono patterns under the prefix; only these load it. */
  paths: readonly string[];
  load: () => Promise<Feature>;
}

/**
 * A feature's sub-app, mounted with app.route() where the app decides, but built on the first
 * request to one of its paths: building every feature's routes (zod schemas, OpenAPI route
 * definitions, their imports' top-level work) at module load cost 24 ms of CPU in every new
 * isolate on this machine (`npm run bench:startup`: 95.6 ms against 71.4 ms with the app built
 * on first request), while an isolate mostly serves one or two of them. The feature runs in
 * its own Hono app (as the admin API does) with the outer request's id and logger, and a path
 * it does not serve falls through to the next mount. The app hands over its error handler, so
 * that a feature's errors become responses inside the feature, as if it were mounted eagerly
 * (its own middleware sees them: stale-if-error, the embed frames' framed 503), and its 405.
 */
export function lazyRoutes(
  { prefix, paths, load }: LazyMount,
  handlers: {
    onError: ErrorHandler<AppEnv>;
    onMethodNotAllowed: (c: Context<AppEnv>, methods: string[]) => Response | Promise<Response>;
  },
): Feature {
  let built: Promise<Feature> | undefined;
  const build = async () => {
    const feature = await load();
    const app = new HonoApp<AppEnv>();
    app.use(async (c, next) => {
      const { outer, request } = handoffs.get(c.req.raw)!;
      // Handlers see the method the client sent (views.svg never counts a HEAD).
      c.req.raw = request;
      c.set('requestId', outer.var.requestId);
      c.set('logger', outer.var.logger);
      await next();
    });
    app.use(methodNotAllowed({ app, onMethodNotAllowed: handlers.onMethodNotAllowed }));
    app.route(prefix, feature);
    app.notFound((c) => {
      handoffs.get(c.req.raw)!.unmatched = true;
      return c.body(null, 404);
    });
    app.onError(handlers.onError);
    return app;
  };
  const dispatch: MiddlewareHandler<AppEnv> = async (c, next) => {
    // The app answers HEAD as GET and drops the body itself, after its middleware (ETag,
    // caching) has seen the GET's: the feature must answer the GET (its own fetch would drop
    // the body first).
    const req = c.req.raw.method === 'HEAD' ? new Request(c.req.raw, { method: 'GET' }) : c.req.raw;
    const handoff: Handoff = { outer: c, request: c.req.raw, unmatched: false };
    handoffs.set(req, handoff);
    // The feature's middleware swaps in the client's request, so its not-found handler looks the
    // hand-off up by that one (a HEAD's GET stand-in is another Request).
    handoffs.set(c.req.raw, handoff);
    built ??= build().catch((err: unknown) => {
      built = undefined;
      throw err;
    });
    const res = await (await built).fetch(req, c.env, executionContext(c));
    if (handoff.unmatched && res.status === 404) return next();
    return withRequestId(res, c.var.requestId);
  };
  const mount = new HonoApp<AppEnv>();
  for (const path of paths) mount.all(path, dispatch);
  return mount;
}
