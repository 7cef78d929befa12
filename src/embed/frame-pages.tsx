import type { Child } from 'hono/jsx';
import { inlineScripts } from '../asset-manifest.gen';
import { articlePath, channelPath } from '../articles/present';
import type { ArticleDetail, ArticleSummary } from '../articles/types';
import type { Lang } from '../lib/labels';
import type { SiteConfig } from '../lib/site';
import { zonedDateTime, zonedDay } from '../lib/time';
import { embedLabels } from '../lib/labels';

export type FrameTheme = 'light' | 'dark' | undefined;

const light = '--b:#fff;--f:#1f2328;--m:#59636e;--a:#b4232a;--l:#dde1e6';
const dark = '--b:#161b22;--f:#e6edf3;--m:#9da7b3;--a:#ff8e86;--l:#30363d';

const baseCss = [
  '*{box-sizing:border-box}',
  'html,body{margin:0;background:transparent}',
  'body{font:15px/1.7 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:var(--f)}',
  '.w{background:var(--b);border:1px solid var(--l);border-radius:8px;padding:16px 20px;overflow-wrap:anywhere}',
  'a{color:var(--a)}',
  'h1{font-size:1.25em;line-height:1.4;margin:0 0 8px}',
  'h1 a,li a{color:var(--f);text-decoration:none}',
  'h1 a:hover,li a:hover{color:var(--a);text-decoration:underline}',
  'a:focus-visible{outline:2px solid var(--a);outline-offset:2px}',
  '.k{margin:0 0 2px;font-size:.85em}.k a{text-decoration:none}',
  '.x{display:flex;flex-wrap:wrap;gap:2px 16px;margin:0 0 12px;padding-bottom:10px;border-bottom:1px solid var(--l);color:var(--m);font-size:.85em}',
  '.body img{max-width:100%;height:auto}',
  '.body table{border-collapse:collapse;max-width:100%}.body td,.body th{border:1px solid var(--l);padding:4px 8px}',
  '.body>:last-child{margin-bottom:0}',
  'ol{list-style:none;margin:0;padding:0}',
  'li{display:flex;gap:12px;align-items:baseline;padding:7px 0;border-top:1px solid var(--l)}',
  'li:first-child{border-top:0}',
  'li a{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}',
  '.m{color:var(--m);font-size:.85em;white-space:nowrap;font-variant-numeric:tabular-nums}',
  '.more{margin:12px 0 0;font-size:.9em}',
  'p.e{margin:0;color:var(--m)}',
].join('');

/** Light and dark follow the reader unless the embed URL pins one with ?theme=. */
export function frameCss(theme: FrameTheme): string {
  const palette =
    theme === 'dark'
      ? `:root{${dark}}`
      : theme === 'light'
        ? `:root{${light}}`
        : `:root{${light}}@media(prefers-color-scheme:dark){:root{${dark}}}`;
  return palette + baseCss;
}

/** The frame's height reports, built from src/client/frame-resize.ts; allowed by its hash. */
export const resizeScript = inlineScripts.frameResize;

interface FrameProps {
  lang: Lang;
  title: string;
  css: string;
  canonical?: string;
  children: Child;
}

function FrameDocument(props: FrameProps) {
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{props.title}</title>
        {props.canonical ? <link rel="canonical" href={props.canonical} /> : null}
        {/* Links leave the frame: a reader clicking through should land on the full page. */}
        <base target="_blank" />
        <style dangerouslySetInnerHTML={{ __html: props.css }} />
      </head>
      <body>
        {props.children}
        <script dangerouslySetInnerHTML={{ __html: resizeScript }} />
      </body>
    </html>
  );
}

const count = (n: number) => n.toLocaleString('en-US');

export function ArticleFrame(props: {
  site: SiteConfig;
  lang: Lang;
  css: string;
  origin: string;
  article: ArticleDetail;
}) {
  const { article: a, site, origin } = props;
  const l = embedLabels[props.lang];
  const url = origin + articlePath(a);
  return (
    <FrameDocument
      lang={props.lang}
      title={`${a.title} - ${site.name}`}
      css={props.css}
      canonical={url}
    >
      <article class="w" aria-labelledby="t">
        <p class="k">
          <a href={origin + channelPath(a.channel.slug)}>{a.channel.name}</a>
        </p>
        <h1 id="t">
          <a href={url}>{a.title}</a>
        </h1>
        <p class="x">
          <span>
            {l.published}
            {l.colon}
            <time datetime={a.publishedAt.toISOString()}>
              {zonedDateTime(a.publishedAt, site.timeZone)}
            </time>
          </span>
          {a.source ? (
            <span>
              {l.source}
              {l.colon}
              {a.source}
            </span>
          ) : null}
          <span>
            {l.views}
            {l.colon}
            {count(a.views)}
          </span>
        </p>
        {/* Sanitized when it was written (src/lib/sanitize.ts); this frame is the only place it is embedded. */}
        <div class="body" dangerouslySetInnerHTML={{ __html: a.body }} />
        <p class="more">
          <a href={url}>{l.readOn(site.name)} →</a>
        </p>
      </article>
    </FrameDocument>
  );
}

export function ChannelFrame(props: {
  site: SiteConfig;
  lang: Lang;
  css: string;
  origin: string;
  channel: { slug: string; name: string };
  items: ArticleSummary[];
}) {
  const { site, origin, channel } = props;
  const l = embedLabels[props.lang];
  const url = origin + channelPath(channel.slug);
  return (
    <FrameDocument
      lang={props.lang}
      title={`${channel.name} - ${site.name}`}
      css={props.css}
      canonical={url}
    >
      <section class="w" aria-labelledby="t">
        <h1 id="t">
          <a href={url}>{channel.name}</a>
        </h1>
        {props.items.length ? (
          <ol>
            {props.items.map((a) => (
              <li>
                <a href={origin + articlePath(a)}>{a.title}</a>
                <span class="m">
                  <time datetime={a.publishedAt.toISOString()}>
                    {zonedDay(a.publishedAt, site.timeZone)}
                  </time>
                  {' · '}
                  {l.viewsShort(count(a.views))}
                </span>
              </li>
            ))}
          </ol>
        ) : (
          <p class="e">{l.empty}</p>
        )}
        <p class="more">
          <a href={url}>{l.more} »</a>
        </p>
      </section>
    </FrameDocument>
  );
}

export function FrameError(props: {
  site: SiteConfig;
  lang: Lang;
  css: string;
  origin: string;
  message: string;
}) {
  return (
    <FrameDocument lang={props.lang} title={props.site.name} css={props.css}>
      <div class="w" role="alert">
        <p class="e">{props.message}</p>
        <p class="more">
          <a href={`${props.origin}/`}>{props.site.name}</a>
        </p>
      </div>
    </FrameDocument>
  );
}
