import { codePointLength, fold, spaceIdeographs } from './normalize';

/**
 * The reader's query, parsed into terms. Nothing the reader types reaches FTS5's query syntax:
 * each term becomes a quoted phrase string, so `"`, `*`, `NEAR(`, `)`, `AND`, `OR`, `^` and
 * the like are only characters to look for.
 *
 * Syntax: words separated by spaces are all required (2024年 盘锦 GDP); "a quoted phrase"
 * (also “…”, 「…」, 『…』) matches exactly, spaces included; a leading - excludes a word or a
 * phrase (-招聘, -"通知公告").
 */

/** Longest query, in characters (code points), before it is refused as a 400 naming q. */
export const maxQueryLength = 100;
/** Most terms (required and excluded together) in one query. */
export const maxTerms = 8;
/** Terms this long or longer use the trigram index; shorter ones the one-character index. */
export const trigramMinLength = 3;

export type SearchIndex = 'trigram' | 'unigram';

export interface SearchTerm {
  /** Folded text (src/search/normalize.ts), what the index holds. */
  text: string;
  /** The index that can answer it: trigram from three characters, unigram below. */
  index: SearchIndex;
  /** The FTS5 query string for that index: one quoted phrase. */
  match: string;
}

export interface ParsedQuery {
  include: SearchTerm[];
  exclude: SearchTerm[];
}

export type QueryProblem = 'too_long' | 'too_many_terms' | 'only_excluded' | 'nothing_to_search';

export type ParseResult =
  { ok: true; query: ParsedQuery } | { ok: false; problem: QueryProblem; reason: string };

/** Each opening quote and the marks that close it (IMEs and keyboards mix “ with "). */
const closers: Record<string, string> = { '"': '"”', '“': '”"', '「': '」', '『': '』' };
const quoteMarks = '"“”「」『』';

/** Tokens as FTS5's unicode61 tokenizer sees them: letters, digits and private-use characters. */
const unigramToken = /[\p{L}\p{N}\p{Co}\p{M}]+/gu;

function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function toTerm(text: string): SearchTerm | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (codePointLength(trimmed) >= trigramMinLength) {
    return { text: trimmed, index: 'trigram', match: quoted(trimmed) };
  }
  // Below three characters the trigram index finds nothing: ask the index that holds every
  // Han character as a token of its own, where a two-character word is a two-token phrase.
  const tokens = spaceIdeographs(trimmed).match(unigramToken);
  if (!tokens) return null;
  return { text: trimmed, index: 'unigram', match: quoted(tokens.join(' ')) };
}

interface RawTerm {
  text: string;
  exclude: boolean;
}

function split(folded: string): RawTerm[] {
  const terms: RawTerm[] = [];
  const chars = [...folded];
  let i = 0;
  while (i < chars.length) {
    // Spaces and closing quotes without an opening one only separate terms.
    if (chars[i] === ' ' || (quoteMarks.includes(chars[i]!) && !closers[chars[i]!])) {
      i++;
      continue;
    }
    const exclude = chars[i] === '-' && i + 1 < chars.length && chars[i + 1] !== ' ';
    if (exclude) i++;
    const close = closers[chars[i]!];
    let text = '';
    if (close) {
      // A phrase runs to its closing quote, or to the end when the reader forgot it.
      for (i++; i < chars.length && !close.includes(chars[i]!); i++) text += chars[i];
      i++;
    } else {
      for (; i < chars.length && chars[i] !== ' ' && !quoteMarks.includes(chars[i]!); i++) {
        text += chars[i];
      }
    }
    if (text.trim()) terms.push({ text, exclude });
  }
  return terms;
}

/** Parses a raw query; `ok: false` carries a reason fit for a 400 problem naming q. */
export function parseQuery(raw: string): ParseResult {
  if (codePointLength(raw) > maxQueryLength) {
    return {
      ok: false,
      problem: 'too_long',
      reason: `must be at most ${maxQueryLength} characters`,
    };
  }
  const raws = split(fold(raw));
  if (raws.length > maxTerms) {
    return {
      ok: false,
      problem: 'too_many_terms',
      reason: `must have at most ${maxTerms} words or phrases`,
    };
  }
  const include: SearchTerm[] = [];
  const exclude: SearchTerm[] = [];
  const seen = new Set<string>();
  for (const { text, exclude: excluded } of raws) {
    const term = toTerm(text);
    if (!term) continue;
    const key = `${excluded ? '-' : '+'}${term.match}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (excluded ? exclude : include).push(term);
  }
  if (!include.length) {
    return exclude.length
      ? {
          ok: false,
          problem: 'only_excluded',
          reason: 'must have at least one word to look for besides the excluded ones',
        }
      : {
          ok: false,
          problem: 'nothing_to_search',
          reason: 'must contain a letter, digit or character to look for',
        };
  }
  return { ok: true, query: { include, exclude } };
}

/** A stable text for the parsed query, for cursors: the same search however it was typed. */
export function canonicalQuery(query: ParsedQuery): string {
  return [...query.include.map((t) => t.match), ...query.exclude.map((t) => `-${t.match}`)].join(
    ' ',
  );
}
