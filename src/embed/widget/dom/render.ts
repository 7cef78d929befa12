import { formatCount, formatDate, safeHref, text } from '../format';
import { labels } from '../labels';
import type { Lang, Spec, Theme } from '../options';
import type { ArticleData, Picked } from '../plan';
import { countCss, widgetCss } from '../styles';

type Attrs = Record<string, string | null | undefined>;

/** The only way markup is made here: elements, attributes, and text through textContent. */
function h(tag: string, attrs: Attrs | null, content: string | (Node | null)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const name in attrs) {
    const value = attrs[name];
    if (value != null) el.setAttribute(name, value);
  }
  if (typeof content === 'string') el.textContent = content;
  else for (const child of content) if (child) el.append(child);
  return el;
}

const sheets = new Map<string, CSSStyleSheet>();

/**
 * Constructed sheets are shared by every widget on the page and are not inline styles, so a
 * host page whose CSP forbids inline styles still shows the widget styled; old browsers get a
 * <style> element instead.
 */
function styleFor(root: ShadowRoot, css: string): HTMLElement | null {
  if ('adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
    let sheet = sheets.get(css);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      sheets.set(css, sheet);
    }
    root.adoptedStyleSheets = [sheet];
    return null;
  }
  return h('style', null, css);
}

function time(a: ArticleData): HTMLElement {
  return h('time', { datetime: text(a.publishedAt) || null }, formatDate(a.publishedAt));
}

/** A popular list shows the views that ranked it, those within its window. */
function viewsText(a: ArticleData, lang: Lang): string {
  const n = typeof a.windowViews === 'number' ? a.windowViews : a.views;
  return labels[lang].viewsCount(formatCount(n, lang), Number(n));
}

function list(
  items: ArticleData[],
  title: string,
  heading: string | undefined,
  ranked: boolean,
  lang: Lang,
) {
  const l = labels[lang];
  const shown = heading ?? title;
  return h('section', { class: 'w', lang, 'aria-label': shown || title }, [
    shown ? h('h2', null, shown) : null,
    items.length
      ? h(
          'ol',
          // list-style:none costs a list its role in some screen readers; say it outright.
          { class: ranked ? 'r' : null, role: 'list' },
          items.map((a) =>
            h('li', null, [
              h('a', { href: safeHref(a.url) }, text(a.title)),
              h('span', { class: 'm' }, [time(a), h('span', null, ' · ' + viewsText(a, lang))]),
            ]),
          ),
        )
      : h('p', null, l.empty),
  ]);
}

function card(a: ArticleData, lang: Lang) {
  const l = labels[lang];
  const summary = text(a.summary);
  const source = text(a.source);
  return h('article', { class: 'w', lang, 'aria-labelledby': 't' }, [
    h('h3', { id: 't' }, [h('a', { href: safeHref(a.url) }, text(a.title))]),
    summary ? h('p', null, summary) : null,
    h('div', { class: 'x m' }, [
      source ? h('span', null, `${l.source}${lang === 'zh-CN' ? '：' : ': '}${source}`) : null,
      h('span', null, [h('span', null, l.published + (lang === 'zh-CN' ? '：' : ': ')), time(a)]),
      h('span', null, `${l.views}${lang === 'zh-CN' ? '：' : ': '}${formatCount(a.views, lang)}`),
    ]),
  ]);
}

export interface View {
  lang: Lang;
  theme: Theme;
  /** data-title: replaces the list heading; empty hides it. */
  heading?: string;
}

/** Replaces the shadow root's content with the rendered widget. */
export function render(root: ShadowRoot, spec: Spec, got: Picked, view: View): void {
  let node: HTMLElement;
  if (got.kind === 'views') {
    node = h('span', null, formatCount(got.views, view.lang));
  } else if (got.kind === 'article') {
    node = card(got.article!, view.lang);
  } else {
    const l = labels[view.lang];
    const title = spec.kind === 'popular' ? l.popular[spec.window] : l.latest;
    node = list(got.items, title, view.heading, spec.kind === 'popular', view.lang);
  }
  const style = styleFor(root, got.kind === 'views' ? countCss : widgetCss(view.theme));
  root.replaceChildren(...(style ? [style, node] : [node]));
}
