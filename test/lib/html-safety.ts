/**
 * Structural checks that rendered HTML cannot run code: parsed with a real HTML parser
 * (htmlparser2, entities decoded the way a browser decodes them), not matched as strings.
 * The allow-list is written out here again from the issue, independently of
 * src/lib/sanitize.ts, so a widened sanitizer fails these checks.
 */
import { DomUtils, parseDocument } from 'htmlparser2';

type Element = ReturnType<typeof DomUtils.findAll>[number];

const bodyTags = new Set(
  'p br h2 h3 h4 strong em u s sub sup a img figure figcaption table thead tbody tr th td ul ol li blockquote hr pre code'.split(
    ' ',
  ),
);

/** What an editor may set, plus the attributes the sanitizer itself adds (rel, loading, sandbox...). */
const bodyAttributes: Record<string, Set<string>> = {
  a: new Set(['href', 'title', 'rel']),
  img: new Set(['src', 'alt', 'width', 'height', 'loading']),
  th: new Set(['colspan', 'rowspan']),
  td: new Set(['colspan', 'rowspan']),
  iframe: new Set([
    'src',
    'width',
    'height',
    'title',
    'allowfullscreen',
    'sandbox',
    'referrerpolicy',
    'loading',
  ]),
};

const urlAttributes = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'data',
  'srcset',
  'xlink:href',
  'background',
  'poster',
  'cite',
  'codebase',
  'dynsrc',
  'lowsrc',
  'ping',
]);

/** Web, mail or site-relative; the way a browser would read it (control characters and spaces dropped). */
export function isSafeUrl(value: string, schemes = ['http:', 'https:', 'mailto:']): boolean {
  // eslint-disable-next-line no-control-regex
  const cleaned = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  if (cleaned.startsWith('//')) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(cleaned);
  if (!scheme) return true;
  return schemes.includes(`${scheme[1]!.toLowerCase()}:`);
}

function elements(html: string): Element[] {
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseAttributeNames: true });
  return DomUtils.findAll(() => true, doc.children);
}

function hasAncestor(el: Element, test: (parent: Element) => boolean): boolean {
  for (let p = el.parent; p; p = p.parent) if ('name' in p && test(p as Element)) return true;
  return false;
}

const siteSearchInputAttributes = new Set([
  'id',
  'type',
  'name',
  'value',
  'maxlength',
  'placeholder',
  'autocomplete',
  'enterkeyhint',
]);

/**
 * The site's own search box in the page header (src/pages/layout.tsx): a GET form to /search
 * with one search field. Nothing else may be a form, and this one only exactly so.
 */
function isSiteSearchForm(el: Element): boolean {
  const a = el.attribs;
  return (
    el.name === 'form' &&
    Object.keys(a).sort().join() === 'action,class,method,role' &&
    a.class === 'site-search' &&
    a.role === 'search' &&
    a.action === '/search' &&
    a.method === 'get' &&
    hasAncestor(el, (p) => p.name === 'header')
  );
}

function isSiteSearchInput(el: Element): boolean {
  return (
    el.name === 'input' &&
    Object.keys(el.attribs).every((name) => siteSearchInputAttributes.has(name)) &&
    el.attribs.type === 'search' &&
    el.attribs.name === 'q' &&
    hasAncestor(el, isSiteSearchForm)
  );
}

/** Problems with a stored or rendered body; an empty list means harmless. */
export function bodyProblems(html: string, videoHosts: readonly string[] = []): string[] {
  const problems: string[] = [];
  for (const el of elements(html)) {
    const tag = el.name.toLowerCase();
    if (!bodyTags.has(tag) && !(tag === 'iframe' && videoHosts.length)) {
      problems.push(`tag <${tag}>`);
      continue;
    }
    for (const [name, value] of Object.entries(el.attribs)) {
      if (!bodyAttributes[tag]?.has(name)) problems.push(`attribute ${name} on <${tag}>`);
      if (urlAttributes.has(name) && !isSafeUrl(value)) problems.push(`${name}="${value}"`);
    }
    if (tag === 'img' && el.attribs.src && !isSafeUrl(el.attribs.src, ['http:', 'https:'])) {
      problems.push(`img src ${el.attribs.src}`);
    }
    if (tag === 'iframe') {
      const src = el.attribs.src ?? '';
      let host = '';
      try {
        const url = new URL(src);
        host = url.protocol === 'https:' && !url.username ? url.hostname : '';
      } catch {
        // not an absolute URL: refused below
      }
      if (!videoHosts.includes(host)) problems.push(`iframe src ${src}`);
      if (el.attribs.sandbox === undefined) problems.push('iframe without sandbox');
    }
    if (tag === 'a' && el.attribs.href && /^https?:/i.test(el.attribs.href)) {
      if (el.attribs.rel !== 'noopener noreferrer')
        problems.push(`external link rel ${el.attribs.rel}`);
    }
  }
  return problems;
}

export interface PageRules {
  /** Inline scripts and styles allowed because the CSP lists their hash (embed frames). */
  csp?: string | null;
  /** Iframes a page may carry: the video hosts, or the site's own origin (oEmbed html). */
  frameOrigins?: readonly string[];
  /** `<base>` is allowed with a target only (embed frames open links in a new tab). */
  baseTargetOnly?: boolean;
}

async function sha256Source(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

/**
 * Problems with a whole rendered page: no handler attribute anywhere, no dangerous URL, no
 * script but our own files, JSON-LD data or a CSP-hashed inline one, no active element
 * (object, embed, form, meta refresh, base href) but the header's one search box, no frame
 * from elsewhere.
 */
export async function pageProblems(html: string, rules: PageRules = {}): Promise<string[]> {
  const problems: string[] = [];
  let siteSearchForms = 0;
  for (const el of elements(html)) {
    const tag = el.name.toLowerCase();
    for (const [name, value] of Object.entries(el.attribs)) {
      if (/^on/i.test(name)) problems.push(`handler ${name} on <${tag}>`);
      if (urlAttributes.has(name) && !isSafeUrl(value))
        problems.push(`<${tag} ${name}="${value}">`);
    }
    const siteSearch = (isSiteSearchForm(el) && ++siteSearchForms === 1) || isSiteSearchInput(el);
    if (
      !siteSearch &&
      ['object', 'embed', 'applet', 'form', 'input', 'textarea', 'select', 'svg', 'math'].includes(
        tag,
      )
    ) {
      problems.push(`active element <${tag}>`);
    }
    if (tag === 'meta' && el.attribs['http-equiv']) problems.push('meta http-equiv');
    if (tag === 'base' && (!rules.baseTargetOnly || el.attribs.href !== undefined)) {
      problems.push('base element');
    }
    if (tag === 'link' && /stylesheet|import/i.test(el.attribs.rel ?? '')) {
      if (!(el.attribs.href ?? '').startsWith('/')) problems.push(`stylesheet ${el.attribs.href}`);
    }
    if (tag === 'iframe' || tag === 'frame') {
      const src = el.attribs.src ?? '';
      const allowed = (rules.frameOrigins ?? []).some((origin) => src.startsWith(`${origin}/`));
      if (!allowed) problems.push(`frame ${src}`);
    }
    if (tag === 'script' || tag === 'style') {
      const text = DomUtils.textContent(el);
      if (tag === 'script' && el.attribs.src !== undefined) {
        if (!el.attribs.src.startsWith('/')) problems.push(`script src ${el.attribs.src}`);
      } else if (tag === 'script' && el.attribs.type === 'application/ld+json') {
        try {
          JSON.parse(text);
        } catch {
          problems.push('JSON-LD that does not parse');
        }
      } else if (!rules.csp?.includes(await sha256Source(text))) {
        problems.push(`inline <${tag}> not allowed by the CSP: ${text.slice(0, 60)}`);
      }
    }
  }
  return problems;
}

/** The inner HTML of the first element matching a class, serialised back. */
export function innerHtmlOf(html: string, className: string): string | null {
  const doc = parseDocument(html, { decodeEntities: true });
  const el = DomUtils.findOne(
    (e) => (e.attribs.class ?? '').split(/\s+/).includes(className),
    doc.children,
  );
  return el ? DomUtils.getInnerHTML(el) : null;
}

/** The text of the first element with this tag name, entities decoded. */
export function textOf(html: string, tag: string): string | null {
  const doc = parseDocument(html, { decodeEntities: true });
  const el = DomUtils.findOne((e) => e.name === tag, doc.children);
  return el ? DomUtils.textContent(el) : null;
}
