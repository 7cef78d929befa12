import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/**
 * XML output goes through hono's `html` tag, which escapes every interpolated string
 * (& < > " '), so element text and attribute values are safe. What the tag cannot know is
 * that XML 1.0 forbids most control characters outright: a stray U+0008 in a title would make
 * the whole feed unparseable, so stored text passes through xmlText() first.
 */

// Allowed: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and astral characters (valid pairs).
const invalidXmlChars =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Any character invalidXmlChars might remove (every surrogate, paired or not): a plain class
 * V8 scans fast, where the lookarounds made each full body's scan slow (4.6 % of the RSS
 * route's samples; measured together with the single encode in ./routes.ts: 0.914 ×).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const maybeInvalid = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

export function xmlText(value: string | null | undefined): string {
  if (!value) return '';
  return maybeInvalid.test(value) ? value.replace(invalidXmlChars, '') : value;
}

/**
 * HTML carried inside XML as character data. A "]]>" in the HTML would end the section early,
 * so it is split across two sections, which readers join back into the same text.
 */
export function cdata(value: string): HtmlEscapedString {
  return raw(`<![CDATA[${xmlText(value).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`);
}

/** The `html` tag under a name that says what it writes here (and that formatters leave alone). */
export const xml = html;

export const xmlDeclaration = raw('<?xml version="1.0" encoding="UTF-8"?>\n');
