import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

const arrayPaths = new Set([
  'rss.channel.item',
  'rss.channel.atom:link',
  'rss.channel.item.category',
  'feed.link',
  'feed.entry',
  'feed.entry.link',
  'feed.entry.category',
  'urlset.url',
  'sitemapindex.sitemap',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Lists are lists even with one element, so tests index them the same way every time.
  isArray: (_name, jpath) => arrayPaths.has(String(jpath)),
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

/** Parses with a real XML parser after checking well-formedness; fails the test otherwise. */
export function parseXml(text: string): any {
  const valid = XMLValidator.validate(text);
  expect(valid, JSON.stringify(valid)).toBe(true);
  expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  return parser.parse(text);
}

/** Text of an element that may carry attributes (then the text sits under #text). */
export function textOf(node: any): string {
  if (node === undefined || node === null) return '';
  return typeof node === 'object' ? String(node['#text'] ?? '') : String(node);
}

export const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
export const rfc822 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
