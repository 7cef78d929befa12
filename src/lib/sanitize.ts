import sanitizeHtml from 'sanitize-html';
import { noVideoHosts, videoFrameSandbox, type SanitizePolicy } from './video-hosts';

export { noVideoHosts, sanitizePolicy, type SanitizePolicy } from './video-hosts';

/**
 * The body allow-list of a news portal (issue 14): text structure, lists, tables, figures,
 * links and images, nothing that can run code or restyle the page. Everything else is dropped
 * on write, keeping its text; a few tags pasted from word processors are mapped onto their
 * allowed equivalents instead (b → strong, i → em, h1 → h2, h5/h6 → h4, strike → s), so an
 * editor's emphasis survives. The attributes Gazette sets itself (`rel` on external links,
 * `loading` on images, `sandbox`/`referrerpolicy`/`loading` on video frames) always overwrite
 * whatever the input said.
 */
export const allowedBodyTags = [
  'p',
  'br',
  'h2',
  'h3',
  'h4',
  'strong',
  'em',
  'u',
  's',
  'sub',
  'sup',
  'a',
  'img',
  'figure',
  'figcaption',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'ul',
  'ol',
  'li',
  'blockquote',
  'hr',
  'pre',
  'code',
] as const;

/** Attributes an editor may set, per tag; `iframe` exists only for the video hosts below. */
export const allowedBodyAttributes: Record<string, readonly string[]> = {
  a: ['href', 'title', 'rel'],
  img: ['src', 'alt', 'width', 'height', 'loading'],
  th: ['colspan', 'rowspan'],
  td: ['colspan', 'rowspan'],
  iframe: [
    'src',
    'width',
    'height',
    'title',
    'allowfullscreen',
    'sandbox',
    'referrerpolicy',
    'loading',
  ],
};

/** Link schemes; relative URLs (`/articles/1`, `#note`, `page.html`) are allowed too. */
export const allowedLinkSchemes = ['http', 'https', 'mailto'] as const;

const dimension = /^\d{1,4}%?$/;
const span = /^[1-9]\d{0,2}$/;

function keepIf(attribs: sanitizeHtml.Attributes, name: string, pattern: RegExp) {
  if (attribs[name] !== undefined && !pattern.test(attribs[name].trim())) delete attribs[name];
}

/** An absolute web address: the links that leave the site and get `rel`. */
function isExternal(href: string | undefined): boolean {
  return href !== undefined && /^\s*https?:/i.test(href);
}

function buildOptions(policy: SanitizePolicy): sanitizeHtml.IOptions {
  const video = policy.videoHosts.length > 0;
  return {
    allowedTags: [...allowedBodyTags, ...(video ? ['iframe'] : [])],
    allowedAttributes: Object.fromEntries(
      Object.entries(allowedBodyAttributes)
        .filter(([tag]) => video || tag !== 'iframe')
        .map(([tag, names]) => [tag, [...names]]),
    ),
    allowedSchemes: [...allowedLinkSchemes],
    allowedSchemesByTag: { img: ['http', 'https'], iframe: ['https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    allowedIframeHostnames: [...policy.videoHosts],
    allowIframeRelativeUrls: false,
    allowedStyles: {},
    disallowedTagsMode: 'discard',
    // Elements whose text is code or chrome, not prose: dropped with their content.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'title'],
    enforceHtmlBoundary: false,
    parseStyleAttributes: false,
    transformTags: {
      b: 'strong',
      i: 'em',
      strike: 's',
      h1: 'h2',
      h5: 'h4',
      h6: 'h4',
      a: (tagName, attribs) => {
        const { rel: _rel, ...rest } = attribs;
        // An outbound link must not get a handle on the reader's window nor learn the page.
        return {
          tagName,
          attribs: isExternal(rest.href) ? { ...rest, rel: 'noopener noreferrer' } : rest,
        };
      },
      img: (tagName, attribs) => {
        keepIf(attribs, 'width', dimension);
        keepIf(attribs, 'height', dimension);
        return { tagName, attribs: { ...attribs, loading: 'lazy' } };
      },
      th: (tagName, attribs) => {
        keepIf(attribs, 'colspan', span);
        keepIf(attribs, 'rowspan', span);
        return { tagName, attribs };
      },
      td: (tagName, attribs) => {
        keepIf(attribs, 'colspan', span);
        keepIf(attribs, 'rowspan', span);
        return { tagName, attribs };
      },
      iframe: (tagName, attribs) => {
        keepIf(attribs, 'width', dimension);
        keepIf(attribs, 'height', dimension);
        const { allowfullscreen, ...rest } = attribs;
        return {
          tagName,
          attribs: {
            ...rest,
            ...(allowfullscreen !== undefined ? { allowfullscreen: '' } : {}),
            sandbox: videoFrameSandbox,
            referrerpolicy: 'strict-origin-when-cross-origin',
            loading: 'lazy',
          },
        };
      },
    },
    // A frame or image whose address was refused would be an empty box: drop it entirely.
    exclusiveFilter: (frame) =>
      (frame.tag === 'iframe' || frame.tag === 'img') && !frame.attribs.src,
  };
}

const optionsCache = new Map<string, sanitizeHtml.IOptions>();

function optionsFor(policy: SanitizePolicy): sanitizeHtml.IOptions {
  const key = policy.videoHosts.join(' ');
  let options = optionsCache.get(key);
  if (!options) {
    options = buildOptions(policy);
    optionsCache.set(key, options);
  }
  return options;
}

/** Runs on write (the authoring commands), never on read: pages embed the stored result. */
export function sanitizeArticleHtml(html: string, policy: SanitizePolicy = noVideoHosts): string {
  return sanitizeHtml(html, optionsFor(policy)).trim();
}

/** Plain text of a body, for summaries and feeds' descriptions. */
export function htmlToText(html: string): string {
  return sanitizeHtml(html.replace(/<\/(p|h[2-6]|li|blockquote|tr)>/gi, '$& '), {
    allowedTags: [],
    allowedAttributes: {},
  })
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
