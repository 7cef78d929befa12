import type { Database } from '../db/client';
import { afterTaxonomyWrite, type EffectContext } from './effects';
import { recentArticlesOf } from './taxonomy-queries';

/**
 * The effects of a channel or tag command, shared by the admin API and the admin pages: which
 * cached pages show the change, then afterTaxonomyWrite. Read after the write, so a move's
 * subtree and a merge's articles are the ones as they now stand.
 */

/** `channels`: the channels whose pages list the change; `breadcrumbsOf`: the renamed or moved one. */
export async function afterChannelWrite(
  ctx: EffectContext,
  db: Database,
  change: { channels: readonly (string | null | undefined)[]; breadcrumbsOf?: string },
): Promise<void> {
  const articles = change.breadcrumbsOf
    ? await recentArticlesOf(db, { channelSubtree: change.breadcrumbsOf })
    : [];
  const channels = change.channels.filter((s): s is string => typeof s === 'string');
  await afterTaxonomyWrite(ctx, { channels: [...new Set(channels)], articles });
}

/** After a tag's rename or merge (`tag`: the tag the articles now have), or its delete (`ids`). */
export async function afterTagWrite(
  ctx: EffectContext,
  db: Database,
  scope: { tag: string } | { ids: readonly number[] },
): Promise<void> {
  await afterTaxonomyWrite(ctx, { channels: [], articles: await recentArticlesOf(db, scope) });
}
