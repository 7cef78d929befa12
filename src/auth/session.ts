import type { Context, MiddlewareHandler } from 'hono';
import { createDb, type Database } from '../db/client';
import type { AppEnv } from '../env';
import { guardD1 } from '../lib/d1-guard';

/**
 * Admin requests read and write on the D1 primary (Sessions API 'first-primary'), so a token
 * revoked a moment ago is refused and an editor's read follows their write. The session's
 * bookmark goes back as X-D1-Bookmark; a later request (or a public read) that presents it
 * reads at least that state from any replica.
 */
export function primaryDb(c: Context<AppEnv>): Database {
  let db = c.get('primaryDb');
  if (!db) {
    const session = c.env.DB.withSession('first-primary');
    // Failures answer 503, but no deadline: a write cut short here might still commit.
    db = createDb(guardD1(session, null));
    c.set('primarySession', session);
    c.set('primaryDb', db);
  }
  return db;
}

export const bookmarkHeader: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const bookmark = c.get('primarySession')?.getBookmark();
  if (bookmark) c.res.headers.set('X-D1-Bookmark', bookmark);
};
