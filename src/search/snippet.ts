import { escapeToBuffer, type StringBuffer } from 'hono/utils/html';
import { foldWithOffsets } from './normalize';

/**
 * Highlighting is done here, on the article's own text, not by FTS5's snippet(): the index
 * holds folded text (lower case, simplified, [ ] for every bracket), which must not show, and
 * the one-character index holds it with spaces between the characters. The terms are found in
 * a folded copy and marked at the original characters they came from. Everything that is not
 * a <mark> tag is escaped.
 */

type Range = [start: number, end: number];

function escape(text: string): string {
  const buffer: StringBuffer = [''];
  escapeToBuffer(text, buffer);
  return buffer[0] as string;
}

/** At most this many occurrences of one term are marked. */
const maxMarksPerTerm = 50;

function isLowSurrogate(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Where the folded terms occur in `text`, as ranges of the NFC text, merged and sorted. */
export function matchRanges(
  text: string,
  terms: readonly string[],
): { source: string; ranges: Range[] } {
  const folded = foldWithOffsets(text);
  const { source, offsets } = folded;
  const found: Range[] = [];
  for (const term of terms) {
    if (!term) continue;
    let from = 0;
    for (let n = 0; n < maxMarksPerTerm; n++) {
      const at = folded.text.indexOf(term, from);
      if (at < 0) break;
      const last = offsets[at + term.length - 1]!;
      const end = last + (isLowSurrogate(source, last + 1) ? 2 : 1);
      found.push([offsets[at]!, end]);
      from = at + term.length;
    }
  }
  found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Range[] = [];
  for (const range of found) {
    const prev = merged.at(-1);
    if (prev && range[0] <= prev[1]) prev[1] = Math.max(prev[1], range[1]);
    else merged.push([...range]);
  }
  return { source, ranges: merged };
}

function render(source: string, ranges: Range[], start: number, end: number): string {
  let html = '';
  let at = start;
  for (const [s, e] of ranges) {
    if (e <= start || s >= end) continue;
    const from = Math.max(s, start);
    const to = Math.min(e, end);
    html += `${escape(source.slice(at, from))}<mark>${escape(source.slice(from, to))}</mark>`;
    at = to;
  }
  return html + escape(source.slice(at, end));
}

/** The whole text, escaped, with every occurrence of the terms in <mark>. */
export function highlight(text: string, terms: readonly string[]): string {
  const { source, ranges } = matchRanges(text, terms);
  return render(source, ranges, 0, source.length);
}

export interface Snippet {
  html: string;
  matched: boolean;
}

const sentenceEnd = /[。！？；!?;]/;

/**
 * About `length` characters of `text` around its first match, escaped, with the matches in
 * <mark> and an ellipsis where it was cut; the start of the text when nothing matches.
 */
export function snippet(text: string, terms: readonly string[], length = 120): Snippet {
  const { source, ranges } = matchRanges(text, terms);
  const first = ranges[0];
  let start = 0;
  if (first && first[0] > length / 4) {
    start = first[0] - Math.floor(length / 5);
    // Start at a sentence when one begins just before the match.
    for (let i = start; i < first[0]; i++) {
      if (sentenceEnd.test(source[i]!)) start = i + 1;
    }
  }
  if (isLowSurrogate(source, start)) start--;
  let end = Math.min(source.length, start + length);
  if (isLowSurrogate(source, end)) end++;
  const html =
    (start > 0 ? '…' : '') + render(source, ranges, start, end) + (end < source.length ? '…' : '');
  return { html, matched: ranges.length > 0 };
}
