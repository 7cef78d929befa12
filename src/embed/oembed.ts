import { idOrSlugParam, idParam, slugParam } from '../lib/params';

/**
 * oEmbed (https://oembed.com): which of our URLs can be embedded, and at what size.
 * Only reader pages on this very host qualify; anything else is "not ours" (404).
 */

export type EmbedTarget =
  { kind: 'article'; key: { id: number } | { slug: string } } | { kind: 'channel'; slug: string };

/**
 * /articles/{id}, /articles/{id}/{slug}, /articles/{slug} and /channels/{slug}, with or
 * without a trailing slash; query and fragment are ignored, as a shared link often has them.
 */
export function resolveEmbedTarget(url: URL, host: string): EmbedTarget | null {
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.host !== host) return null;
  const path = url.pathname.replace(/\/$/, '');
  const article = /^\/articles\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (article) {
    const key =
      article[2] === undefined
        ? idOrSlugParam().safeParse(article[1])
        : idParam().safeParse(article[1]);
    if (!key.success) return null;
    return { kind: 'article', key: typeof key.data === 'number' ? { id: key.data } : key.data };
  }
  const channel = /^\/channels\/([^/]+)$/.exec(path);
  if (channel) {
    const slug = slugParam().safeParse(channel[1]);
    return slug.success ? { kind: 'channel', slug: slug.data } : null;
  }
  return null;
}

export interface Size {
  width: number;
  height: number;
}

/** What an iframe gets when the consumer sets no limit; a channel list is a little shorter. */
export const defaultFrameSize: Record<EmbedTarget['kind'], Size> = {
  article: { width: 600, height: 480 },
  channel: { width: 600, height: 420 },
};

/** The spec's maxwidth/maxheight are upper bounds: the answer never exceeds them. */
export function fitFrame(size: Size, maxwidth?: number, maxheight?: number): Size {
  return {
    width: Math.min(size.width, maxwidth ?? size.width),
    height: Math.min(size.height, maxheight ?? size.height),
  };
}

/** The <link rel="alternate" type="application/json+oembed"> href for a reader page. */
export function oembedDiscoveryHref(origin: string, pageUrl: string): string {
  return `${origin}/oembed?${new URLSearchParams({ url: pageUrl, format: 'json' })}`;
}
