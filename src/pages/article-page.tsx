import { raw } from 'hono/html';
import { articlePath, channelPath } from '../articles/present';
import type { ArticleDetail, ArticleNeighbour } from '../articles/types';
import { oembedDiscoveryHref } from '../embed/oembed';
import { fileFormat, humanFileSize } from '../lib/files';
import type { SiteConfig } from '../lib/site';
import { toZonedIso, zonedDateTime } from '../lib/time';
import type { Labels } from '../lib/labels';
import { Breadcrumb, feedLinks, Layout, renderedOnce } from './layout';
import type { NavChannel } from './queries';
import { jsonForScript, safeHref } from './safety';

export interface ArticlePageProps {
  site: SiteConfig;
  labels: Labels;
  origin: string;
  nav: NavChannel[];
  article: ArticleDetail;
  /** A draft seen through a signed preview link: marked, noindex, no view beacon. */
  preview?: boolean;
}

function structuredData(props: ArticlePageProps, canonical: string, description: string) {
  const { article: a, site, origin, labels: l } = props;
  const image = safeHref(a.coverImageUrl, origin);
  return {
    '@context': 'https://schema.org',
    '@graph': [
      {
        '@type': 'NewsArticle',
        '@id': `${canonical}#article`,
        headline: a.title,
        ...(a.subtitle ? { alternativeHeadline: a.subtitle } : {}),
        description,
        url: canonical,
        mainEntityOfPage: { '@type': 'WebPage', '@id': canonical },
        inLanguage: a.lang,
        datePublished: toZonedIso(a.publishedAt, site.timeZone),
        dateModified: toZonedIso(a.updatedAt, site.timeZone),
        articleSection: a.channel.name,
        ...(a.tags.length ? { keywords: a.tags.map((t) => t.name) } : {}),
        ...(image ? { image: [image] } : {}),
        author: a.author
          ? { '@type': 'Person', name: a.author }
          : { '@type': 'Organization', name: a.source || site.name },
        ...(a.source ? { sourceOrganization: { '@type': 'Organization', name: a.source } } : {}),
        publisher: { '@type': 'Organization', name: site.name, url: `${origin}/` },
        isAccessibleForFree: true,
        interactionStatistic: {
          '@type': 'InteractionCounter',
          interactionType: 'https://schema.org/ReadAction',
          userInteractionCount: a.views,
        },
      },
      {
        '@type': 'BreadcrumbList',
        itemListElement: [
          { name: l.home, url: `${origin}/` },
          ...a.breadcrumb.map((c) => ({ name: c.name, url: origin + channelPath(c.slug) })),
        ].map((crumb, i) => ({
          '@type': 'ListItem',
          position: i + 1,
          name: crumb.name,
          item: crumb.url,
        })),
      },
    ],
  };
}

function SocialMeta(props: ArticlePageProps & { canonical: string; description: string }) {
  const { article: a, site, labels: l, origin } = props;
  const image = safeHref(a.coverImageUrl, origin);
  return (
    <>
      <meta property="og:type" content="article" />
      <meta property="og:site_name" content={site.name} />
      <meta property="og:locale" content={l.ogLocale} />
      <meta property="og:title" content={a.title} />
      <meta property="og:description" content={props.description} />
      <meta property="og:url" content={props.canonical} />
      {image ? <meta property="og:image" content={image} /> : null}
      <meta property="article:published_time" content={toZonedIso(a.publishedAt, site.timeZone)} />
      <meta property="article:modified_time" content={toZonedIso(a.updatedAt, site.timeZone)} />
      <meta property="article:section" content={a.channel.name} />
      {a.tags.map((t) => (
        <meta property="article:tag" content={t.name} />
      ))}
      <meta name="twitter:card" content={image ? 'summary_large_image' : 'summary'} />
      <meta name="twitter:title" content={a.title} />
      <meta name="twitter:description" content={props.description} />
      {image ? <meta name="twitter:image" content={image} /> : null}
      <link
        rel="alternate"
        type="application/json+oembed"
        href={oembedDiscoveryHref(origin, props.canonical)}
        title={a.title}
      />
      <script type="application/ld+json">
        {raw(jsonForScript(structuredData(props, props.canonical, props.description)))}
      </script>
    </>
  );
}

function Neighbour(props: {
  label: string;
  colon: string;
  none: string;
  rel: 'prev' | 'next';
  item: ArticleNeighbour | null;
}) {
  return (
    <p class={`neighbour neighbour-${props.rel}`}>
      <span class="neighbour-label">
        {props.label}
        {props.colon}
      </span>
      {props.item ? (
        <a href={articlePath(props.item)} rel={props.rel}>
          {props.item.title}
        </a>
      ) : (
        <span class="neighbour-none">{props.none}</span>
      )}
    </p>
  );
}

const fontSizes = ['large', 'medium', 'small'] as const;

/** The font size and print buttons: the same on every article, so rendered once (layout.tsx). */
function ArticleTools({ labels: l }: { labels: Labels }) {
  const fontNames = { large: l.fontLargeName, medium: l.fontMediumName, small: l.fontSmallName };
  const fontLabels = { large: l.fontLarge, medium: l.fontMedium, small: l.fontSmall };
  return (
    <div class="article-tools" role="group" aria-label={l.articleTools} hidden>
      <span class="tools-label" aria-hidden="true">
        {l.fontSize}
        {l.colon}
      </span>
      {fontSizes.map((size) => (
        <button
          type="button"
          class="font-button"
          data-font={size}
          aria-pressed={size === 'medium' ? 'true' : 'false'}
          aria-label={fontNames[size]}
        >
          {fontLabels[size]}
        </button>
      ))}
      <button type="button" class="print-button" data-print>
        {l.print}
      </button>
    </div>
  );
}

export function ArticlePage(props: ArticlePageProps) {
  const { article: a, site, labels: l, origin } = props;
  const canonical = origin + articlePath(a);
  const description = a.summary || a.subtitle || a.title;
  const channelFeedTitle = l.feedTitle(site.name, a.channel.name);
  const doc = a.document;
  const docFields = doc
    ? (
        [
          [l.indexNumber, doc.indexNumber],
          [l.issuingBody, doc.issuingBody],
          [l.dateWritten, doc.dateWritten],
          [l.documentNumber, doc.documentNumber],
        ] as const
      ).filter((field): field is readonly [string, string] => Boolean(field[1]))
    : [];
  return (
    <Layout
      site={site}
      labels={l}
      title={a.title}
      description={description}
      canonical={canonical}
      nav={props.nav}
      activeChannel={a.breadcrumb[0]?.slug}
      feeds={[
        ...feedLinks(l, site.name, ''),
        ...feedLinks(l, channelFeedTitle, channelPath(a.channel.slug)),
      ]}
      head={
        props.preview ? undefined : (
          <SocialMeta {...props} canonical={canonical} description={description} />
        )
      }
      script={!props.preview}
      noindex={props.preview}
    >
      {props.preview ? (
        <p class="preview-banner" role="status" data-preview>
          {l.previewBanner}
        </p>
      ) : null}
      {/* The same for every article in the channel (layout.tsx renders such fragments once). */}
      {renderedOnce(JSON.stringify(['article-breadcrumb', l.langTag, a.breadcrumb]), () => (
        <Breadcrumb
          labels={l}
          crumbs={[
            { name: l.home, href: '/' },
            ...a.breadcrumb.map((c) => ({ name: c.name, href: channelPath(c.slug) })),
          ]}
        />
      ))}
      <article class="article" data-article-id={props.preview ? undefined : String(a.id)}>
        <header class="article-header">
          <h1 class="article-title" lang={a.lang}>
            {a.title}
          </h1>
          {a.subtitle ? (
            <p class="article-subtitle" lang={a.lang}>
              {a.subtitle}
            </p>
          ) : null}
          <p class="article-meta">
            <span class="meta-item">
              {l.publishedAt}
              {l.colon}
              <time datetime={toZonedIso(a.publishedAt, site.timeZone)}>
                {zonedDateTime(a.publishedAt, site.timeZone)}
              </time>
            </span>
            {a.source ? (
              <>
                <span class="meta-sep" aria-hidden="true">
                  {` ${l.metaSeparator} `}
                </span>
                <span class="meta-item">
                  {l.source}
                  {l.colon}
                  <span class="article-source">{a.source}</span>
                </span>
              </>
            ) : null}
            <span class="meta-sep" aria-hidden="true">
              {` ${l.metaSeparator} `}
            </span>
            <span class="meta-item">
              {l.views}
              {l.colon}
              <span class="view-count" data-views>
                {a.views}
              </span>
            </span>
          </p>
          {renderedOnce(JSON.stringify(['article-tools', l.langTag]), () => (
            <ArticleTools labels={l} />
          ))}
        </header>
        {docFields.length ? (
          <section class="doc-info" aria-label={l.documentInfo}>
            <dl>
              {docFields.map(([name, value]) => (
                <div class="doc-field">
                  <dt>
                    {name}
                    {l.colon}
                  </dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          </section>
        ) : null}
        {/* The body was sanitized when it was written; it is the only raw HTML on the page. */}
        <div class="article-body" lang={a.lang} dangerouslySetInnerHTML={{ __html: a.body }}></div>
        {a.author ? (
          <p class="article-author">
            {l.author}
            {l.colon}
            {a.author}
          </p>
        ) : null}
        {a.attachments.length ? (
          <section class="attachments" aria-labelledby="attachments-heading">
            <h2 id="attachments-heading">{l.attachments}</h2>
            <ul>
              {a.attachments.map((file) => {
                const href = safeHref(file.url, origin);
                const format = fileFormat(file.name, file.contentType);
                // 附件：2024年预算表.xlsx（38 KB）; the format is added when the name hides it.
                const meta = [
                  ...(format && !file.name.toUpperCase().endsWith(`.${format}`) ? [format] : []),
                  ...(file.size ? [humanFileSize(file.size)] : []),
                ];
                return (
                  <li data-format={format ?? undefined}>
                    {href ? (
                      <a href={href} type={file.contentType?.split(';')[0] ?? undefined}>
                        {file.name}
                      </a>
                    ) : (
                      <span>{file.name}</span>
                    )}
                    {meta.length ? <span class="file-meta">{l.attachmentMeta(meta)}</span> : null}
                  </li>
                );
              })}
            </ul>
          </section>
        ) : null}
        {a.tags.length ? (
          <section class="tags" aria-labelledby="tags-heading">
            <h2 id="tags-heading">{l.tags}</h2>
            <ul>
              {a.tags.map((t) => (
                <li>{t.name}</li>
              ))}
            </ul>
          </section>
        ) : null}
      </article>
      <nav class="neighbours" aria-label={l.neighbours}>
        <Neighbour colon={l.colon} label={l.prev} none={l.none} rel="prev" item={a.prev} />
        <Neighbour colon={l.colon} label={l.next} none={l.none} rel="next" item={a.next} />
      </nav>
    </Layout>
  );
}
