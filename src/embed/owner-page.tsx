import { inlineScripts } from '../asset-manifest.gen';
import type { Lang } from '../lib/labels';
import type { SiteConfig } from '../lib/site';
import { frameSandbox, iframeHtml, placeholderHtml, scriptHtml } from './snippets';

interface OwnerText {
  title: (site: string) => string;
  lead: string;
  step1: string;
  step1Text: string;
  pinned: string;
  latest: string;
  latestText: string;
  popular: string;
  popularText: string;
  article: string;
  articleText: string;
  views: string;
  viewsText: string;
  viewsPrefix: string;
  theming: string;
  themingText: string;
  attributes: string;
  iframe: string;
  iframeText: string;
  oembed: string;
  oembedText: string;
  preview: string;
  code: string;
  copy: string;
  copied: string;
  choose: string;
  articleId: string;
  channelSlug: string;
  apply: string;
  noContent: string;
}

const text: Record<Lang, OwnerText> = {
  'zh-CN': {
    title: (site) => `在您的网站嵌入${site}内容`,
    lead: '复制下面的代码到您的网页即可显示本站的最新文章、热门排行、文章卡片和浏览次数。组件在 Shadow DOM 中渲染，不受您页面样式影响，也不会影响您的页面。',
    step1: '第一步：引入脚本',
    step1Text:
      '在页面中引入一次脚本（放在 </body> 之前即可），然后在需要的位置放置下面的占位元素。',
    pinned: '需要固定版本时，可改用带版本号的地址（长期缓存，内容不变）：',
    latest: '最新文章',
    latestText: 'data-channel 为栏目代码（省略则为全站），data-limit 为条数（1–20，默认 5）。',
    popular: '热门排行',
    popularText: 'data-window 为统计时段：1d、7d 或 30d（默认 7d）；也可加 data-channel。',
    article: '文章卡片',
    articleText: '显示标题、摘要、信息来源、发布时间和浏览次数，并链接到原文。',
    views: '浏览次数',
    viewsText:
      '只显示数字。加上 data-count="true" 时，每次打开页面还会计入一次浏览（同一访客 30 分钟内只计一次），适合转载本站文章的页面。下面的预览不计数。',
    viewsPrefix: '浏览次数：',
    theming: '外观与语言',
    themingText:
      '组件通过 CSS 自定义属性调整配色，跟随系统的浅色／深色模式；data-theme="light" 或 "dark" 可固定其一。标签语言取 data-lang，其次取页面的 lang 属性（中文或英文）。data-title 可替换列表标题，留空则不显示标题。',
    attributes: '可用的 CSS 自定义属性',
    iframe: 'iframe 嵌入',
    iframeText:
      '不便运行脚本时，可直接使用 iframe。若页面同时引入了上面的脚本，iframe 会自动调整高度。',
    oembed: 'oEmbed',
    oembedText: '支持 oEmbed 的平台粘贴文章或栏目链接即可自动嵌入。接口地址：',
    preview: '预览',
    code: '代码',
    copy: '复制',
    copied: '已复制',
    choose: '预览其他内容',
    articleId: '文章编号',
    channelSlug: '栏目代码',
    apply: '更新预览',
    noContent: '本站暂无已发布的文章，预览为空。',
  },
  en: {
    title: (site) => `Embed ${site} on your site`,
    lead: 'Paste the code below into your page to show our latest articles, the most read, an article card or a view counter. Widgets render in Shadow DOM: your styles cannot break them and they cannot break your page.',
    step1: 'Step 1: include the script',
    step1Text:
      'Include the script once (before </body> is fine), then put the placeholders below where you want the widgets.',
    pinned: 'To pin a version, use the versioned URL instead (cached for a year, never changes):',
    latest: 'Latest articles',
    latestText:
      'data-channel is a channel slug (leave it out for the whole site); data-limit is 1–20 (default 5).',
    popular: 'Most read',
    popularText: 'data-window is 1d, 7d or 30d (default 7d); data-channel works here too.',
    article: 'Article card',
    articleText: 'Title, summary, source, date and views, linking to the article.',
    views: 'View counter',
    viewsText:
      'The number alone. With data-count="true" it also counts a view each time the page is opened (once per visitor per 30 minutes), for pages that republish our articles. The preview below does not count.',
    viewsPrefix: 'Views: ',
    theming: 'Look and language',
    themingText:
      'Colours come from CSS custom properties and follow the reader’s light or dark mode; data-theme="light" or "dark" pins one. Labels follow data-lang, else the page’s lang attribute (Chinese or English). data-title replaces a list heading; leave it empty to hide the heading.',
    attributes: 'CSS custom properties',
    iframe: 'iframe',
    iframeText:
      'Where scripts are not allowed, use an iframe. When the page also includes the script above, the iframe sizes itself to its content.',
    oembed: 'oEmbed',
    oembedText: 'Platforms that speak oEmbed embed an article or channel from its link. Endpoint:',
    preview: 'Preview',
    code: 'Code',
    copy: 'Copy',
    copied: 'Copied',
    choose: 'Preview other content',
    articleId: 'Article id',
    channelSlug: 'Channel slug',
    apply: 'Update preview',
    noContent: 'Nothing is published yet, so the previews are empty.',
  },
};

export const ownerCss = [
  ':root{--f:#1f2328;--m:#59636e;--a:#b4232a;--l:#dde1e6;--c:#f6f8fa;color-scheme:light dark}',
  '@media(prefers-color-scheme:dark){:root{--f:#e6edf3;--m:#9da7b3;--a:#ff8e86;--l:#30363d;--c:#161b22}body{background:#0d1117}}',
  '*{box-sizing:border-box}',
  'body{margin:0;font:16px/1.7 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:var(--f)}',
  'header{border-bottom:3px solid var(--a);padding:12px 24px}header a{color:var(--a);font-weight:700;text-decoration:none;font-size:1.1em}',
  'main{max-width:1080px;margin:0 auto;padding:8px 24px 48px}',
  'h1{font-size:1.6em;margin:24px 0 8px}h2{font-size:1.2em;margin:40px 0 8px;padding-top:8px;border-top:1px solid var(--l)}',
  'p{margin:0 0 12px}.lead{color:var(--m)}',
  'a{color:var(--a)}',
  'code,pre{font:13px/1.6 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}',
  'pre{margin:0;padding:12px 14px;background:var(--c);border:1px solid var(--l);border-radius:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}',
  '.demo{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:20px;align-items:start}',
  '@media(max-width:760px){.demo{grid-template-columns:minmax(0,1fr)}}',
  '.label{display:flex;justify-content:space-between;align-items:center;margin:0 0 6px;color:var(--m);font-size:.85em}',
  'button{font:inherit;font-size:.85em;padding:2px 10px;border:1px solid var(--l);border-radius:4px;background:var(--c);color:var(--f);cursor:pointer}',
  'button:focus-visible,input:focus-visible{outline:2px solid var(--a);outline-offset:2px}',
  'iframe{width:100%;border:0}',
  'table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid var(--l);padding:4px 10px;text-align:left}',
  'form{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end;margin:8px 0}',
  'label{display:grid;font-size:.85em;color:var(--m)}',
  'input{font:inherit;padding:4px 8px;border:1px solid var(--l);border-radius:4px;background:transparent;color:var(--f);width:12em}',
].join('');

/** Copy buttons, built from src/client/owner-copy.ts; the page allows it by hash, nothing else inline. */
export const copyScript = inlineScripts.ownerCopy;

function Snippet(props: { id: string; code: string; t: OwnerText }) {
  return (
    <div>
      <p class="label">
        <span>{props.t.code}</span>
        <button type="button" data-copy={props.id} data-done={props.t.copied}>
          {props.t.copy}
        </button>
      </p>
      <pre>
        <code id={props.id}>{props.code}</code>
      </pre>
    </div>
  );
}

function Demo(props: { id: string; code: string; t: OwnerText; children: unknown }) {
  return (
    <div class="demo">
      <Snippet id={props.id} code={props.code} t={props.t} />
      <div>
        <p class="label">
          <span>{props.t.preview}</span>
        </p>
        {props.children}
      </div>
    </div>
  );
}

export interface OwnerPageProps {
  site: SiteConfig;
  lang: Lang;
  origin: string;
  /** The hashed, immutable embed.js path, when the build produced one. */
  versionedScript: string | null;
  articleId: number | null;
  channelSlug: string | null;
  css: string;
}

export const themeProperties = [
  ['--gazette-accent', '#b4232a'],
  ['--gazette-fg', '#1f2328'],
  ['--gazette-bg', '#fff'],
  ['--gazette-muted', '#59636e'],
  ['--gazette-border', '#dde1e6'],
  ['--gazette-radius', '8px'],
  ['--gazette-font', 'system-ui, sans-serif'],
  ['--gazette-font-size', '15px'],
] as const;

export function OwnerPage(props: OwnerPageProps) {
  const { site, origin } = props;
  const t = text[props.lang];
  const id = String(props.articleId ?? 1);
  const channel = props.channelSlug ?? 'news';
  const latestAttrs = { 'data-gazette': 'latest', 'data-channel': channel, 'data-limit': '5' };
  const popularAttrs = { 'data-gazette': 'popular', 'data-window': '7d', 'data-limit': '5' };
  const articleAttrs = { 'data-gazette': 'article', 'data-id': id };
  const viewsAttrs = { 'data-gazette': 'views', 'data-id': id, 'data-count': 'true' };
  const articleFrame = iframeHtml({
    src: `${origin}/embed/articles/${id}`,
    title: site.name,
    width: 600,
    height: 480,
  });
  const channelFrame = iframeHtml({
    src: `${origin}/embed/channels/${channel}`,
    title: site.name,
    width: 600,
    height: 420,
  });
  const hasContent = props.articleId !== null;
  const themeExample = `<style>\n  .my-sidebar [data-gazette] {\n${themeProperties
    .slice(0, 3)
    .map(([name, value]) => `    ${name}: ${value};`)
    .join(
      '\n',
    )}\n  }\n</style>\n${placeholderHtml('div', { ...latestAttrs, 'data-lang': 'en', 'data-theme': 'light', 'data-title': 'News' })}`;
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${t.title(site.name)} - ${site.name}`}</title>
        <style dangerouslySetInnerHTML={{ __html: props.css }} />
      </head>
      <body>
        <header>
          <a href="/">{site.name}</a>
        </header>
        <main>
          <h1>{t.title(site.name)}</h1>
          <p class="lead">{t.lead}</p>
          {hasContent ? null : <p>{t.noContent}</p>}
          <form method="get" action="/embed" aria-label={t.choose}>
            <label>
              {t.articleId}
              <input name="article" inputmode="numeric" pattern="[1-9][0-9]*" value={id} />
            </label>
            <label>
              {t.channelSlug}
              <input name="channel" pattern="[a-z0-9]+(-[a-z0-9]+)*" value={channel} />
            </label>
            <button type="submit">{t.apply}</button>
          </form>

          <h2 id="script">{t.step1}</h2>
          <p>{t.step1Text}</p>
          <Snippet id="s-script" code={scriptHtml(origin)} t={t} />
          {props.versionedScript ? (
            <p>
              {t.pinned} <code>{origin + props.versionedScript}</code>
            </p>
          ) : null}

          <h2 id="latest">{t.latest}</h2>
          <p>{t.latestText}</p>
          <Demo id="s-latest" code={placeholderHtml('div', latestAttrs)} t={t}>
            <div {...latestAttrs}></div>
          </Demo>

          <h2 id="popular">{t.popular}</h2>
          <p>{t.popularText}</p>
          <Demo id="s-popular" code={placeholderHtml('div', popularAttrs)} t={t}>
            <div {...popularAttrs}></div>
          </Demo>

          <h2 id="article">{t.article}</h2>
          <p>{t.articleText}</p>
          <Demo id="s-article" code={placeholderHtml('div', articleAttrs)} t={t}>
            <div {...articleAttrs}></div>
          </Demo>

          <h2 id="views">{t.views}</h2>
          <p>{t.viewsText}</p>
          <Demo id="s-views" code={t.viewsPrefix + placeholderHtml('span', viewsAttrs)} t={t}>
            <p>
              {t.viewsPrefix}
              <span data-gazette="views" data-id={id}></span>
            </p>
          </Demo>

          <h2 id="theming">{t.theming}</h2>
          <p>{t.themingText}</p>
          <div class="demo">
            <Snippet id="s-theme" code={themeExample} t={t} />
            <div>
              <p class="label">
                <span>{t.attributes}</span>
              </p>
              <table>
                <tbody>
                  {themeProperties.map(([name, value]) => (
                    <tr>
                      <td>
                        <code>{name}</code>
                      </td>
                      <td>
                        <code>{value}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>

          <h2 id="iframe">{t.iframe}</h2>
          <p>{t.iframeText}</p>
          <Demo id="s-iframe" code={articleFrame} t={t}>
            <iframe
              src={`${origin}/embed/articles/${id}`}
              title={site.name}
              height="480"
              sandbox={frameSandbox}
            ></iframe>
          </Demo>
          <Snippet id="s-iframe-channel" code={channelFrame} t={t} />

          <h2 id="oembed">{t.oembed}</h2>
          <p>
            {t.oembedText} <code>{`${origin}/oembed?url=…&format=json`}</code>
          </p>
          <p>
            <a
              href={`${origin}/oembed?url=${encodeURIComponent(`${origin}/articles/${id}`)}&format=json`}
            >
              {`${origin}/oembed?url=${encodeURIComponent(`${origin}/articles/${id}`)}&format=json`}
            </a>
          </p>
        </main>
        <script async src={props.versionedScript ?? '/embed.js'}></script>
        <script dangerouslySetInnerHTML={{ __html: copyScript }} />
      </body>
    </html>
  );
}
