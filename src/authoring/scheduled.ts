import { createDb } from '../db/client';
import { siteConfig } from '../lib/site';
import { schedulerActor } from './audit';
import {
  dueArticleIds,
  StaleVersionError,
  transitionArticle,
  WriteConflictError,
} from './commands';
import { afterArticleWrite, type EffectContext } from './effects';

/**
 * The cron's job: publish every scheduled article whose time has come, exactly as a manual
 * publish does (revision, audit row, cache purge, and whatever afterArticleWrite runs). Public
 * queries filter by published_at <= now anyway, so a late cron never shows anything early; it
 * only makes the article's status, caches and feeds catch up.
 */
export async function publishDue(
  env: Env,
  options: { now: Date; waitUntil(promise: Promise<unknown>): void },
): Promise<number[]> {
  const db = createDb(env.DB.withSession('first-primary'));
  const site = siteConfig(env);
  const cap = Number(env.REVISION_CAP);
  const effects: EffectContext = {
    env,
    origin: env.PUBLIC_ORIGIN || null,
    waitUntil: options.waitUntil,
  };
  const published: number[] = [];
  // Batches of 100, until nothing is due: a backlog after an outage drains in one run.
  for (let round = 0; round < 50; round++) {
    const due = await dueArticleIds(db, options.now, 100);
    if (!due.length) break;
    let progressed = false;
    for (const id of due) {
      try {
        const result = await transitionArticle(db, id, 'publish', {
          actor: schedulerActor,
          timeZone: site.timeZone,
          revisionCap: Number.isInteger(cap) && cap >= 1 ? cap : undefined,
          at: options.now,
          onlyIf: 'scheduled',
        });
        if (result?.written) {
          published.push(id);
          progressed = true;
          await afterArticleWrite(effects, {
            type: 'article.published',
            article: result.article,
            previous: result.previous,
          });
        }
      } catch (err) {
        // Another run or an editor changed it meanwhile; the next minute sees its new state.
        if (err instanceof StaleVersionError || err instanceof WriteConflictError) continue;
        throw err;
      }
    }
    if (!progressed) break;
  }
  return published;
}
