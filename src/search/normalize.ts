import { packedTsCharacters } from './ts-characters.gen';
import { unpackTable } from './ts-table';

/**
 * The one normalization both the index and the query go through, so a reader finds what they
 * mean however it was typed:
 * - NFKC: full-width and half-width forms, compatibility ideographs (ＧＤＰ = GDP, １２３ = 123);
 * - case folding (GDP = gdp);
 * - traditional to simplified, character by character (盤錦 = 盘锦), from OpenCC's
 *   TSCharacters table (opencc-js, packed to 9 KiB gzipped by src/search/ts-table.ts). OpenCC's phrase tables
 *   are left out on purpose: a search folding must map every character the same way wherever it
 *   stands, or a one-character query would miss the phrase-converted text it belongs to;
 * - every bracket pair (〔〕 [] () （） 【】 〖〗 〘〙 {}) to [ ], so 辽政发〔2024〕12号 =
 *   辽政发[2024]12号 = 辽政发(2024)12号;
 * - control characters and runs of white space to one space; format characters (zero-width
 *   spaces, bidi controls, BOM) and lone surrogates removed.
 *
 * It works one code point at a time (after NFC, which composes accents first) so that
 * `foldWithOffsets` can say which original character each folded one came from: snippets are
 * cut from the article's own text, not from the folded copy.
 */

/**
 * Built on the first fold, not at startup: parsing the 3,500-entry table cost ~12 ms of CPU in
 * every new isolate (measured in workerd: a bundle building it at startup against one building
 * it on first use), and most isolates serve articles and pages, which never fold text.
 */
let toSimplified: Map<string, string> | undefined;

const openBrackets = new Set(['〔', '(', '[', '【', '〖', '〘', '{', '⦅', '〚']);
const closeBrackets = new Set(['〕', ')', ']', '】', '〗', '〙', '}', '⦆', '〛']);

const memo = new Map<string, string>();
const memoLimit = 50_000;

function foldUncached(ch: string): string {
  // A lone surrogate is not text; in a query it can only be noise.
  if (/^\p{Cs}$/u.test(ch)) return '';
  let out = '';
  for (const c of ch.normalize('NFKC')) {
    if (/^[\p{Cc}\p{Zs}\p{Zl}\p{Zp}]$/u.test(c)) out += ' ';
    else if (/^\p{Cf}$/u.test(c)) continue;
    else if (openBrackets.has(c)) out += '[';
    else if (closeBrackets.has(c)) out += ']';
    else {
      toSimplified ??= unpackTable(packedTsCharacters);
      for (const lower of c.toLowerCase()) out += toSimplified.get(lower) ?? lower;
    }
  }
  return out;
}

/** The folded form of one code point: '', ' ', or one or more characters. */
export function foldCodePoint(ch: string): string {
  let folded = memo.get(ch);
  if (folded === undefined) {
    folded = foldUncached(ch);
    if (memo.size < memoLimit) memo.set(ch, folded);
  }
  return folded;
}

export interface FoldedText {
  /** The folded text. */
  text: string;
  /** For each UTF-16 unit of `text`, the UTF-16 offset in `source` of the character it came from. */
  offsets: number[];
  /** The NFC form of the input, which `offsets` point into. */
  source: string;
}

/** Folds `input` and keeps, for each folded unit, where it came from. */
export function foldWithOffsets(input: string): FoldedText {
  const source = input.normalize('NFC');
  let text = '';
  const offsets: number[] = [];
  let i = 0;
  for (const ch of source) {
    for (const unit of foldCodePoint(ch)) {
      // One space between words, none at the start.
      if (unit === ' ' && (text === '' || text.endsWith(' '))) continue;
      text += unit;
      for (let k = 0; k < unit.length; k++) offsets.push(i);
    }
    i += ch.length;
  }
  if (text.endsWith(' ')) {
    text = text.slice(0, -1);
    offsets.pop();
  }
  return { text, offsets, source };
}

/**
 * The folded form of `input`, as the index stores it and the query compares it: the same
 * text as `foldWithOffsets`, without the offsets (index writes fold whole bodies).
 */
export function fold(input: string): string {
  const parts: string[] = [];
  let lastIsSpace = true;
  for (const ch of input.normalize('NFC')) {
    const folded = foldCodePoint(ch);
    if (folded === ' ') {
      if (!lastIsSpace) parts.push(' ');
      lastIsSpace = true;
    } else if (folded.length === 1) {
      parts.push(folded);
      lastIsSpace = false;
    } else if (folded) {
      for (const unit of folded) {
        if (unit === ' ' && lastIsSpace) continue;
        parts.push(unit);
        lastIsSpace = unit === ' ';
      }
    }
  }
  if (lastIsSpace && parts.length) parts.pop();
  return parts.join('');
}

/**
 * Characters written without spaces between words: each one becomes a token of its own in
 * the one-character index, so a two-character word is a two-token phrase there.
 */
const unspacedScript = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;

/** Folded text as the unigram index tokenizes it: every Han or kana character stands alone. */
export function spaceIdeographs(folded: string): string {
  return folded.replace(unspacedScript, ' $& ').replace(/ {2,}/g, ' ').trim();
}

/** Number of code points, which is what the trigram tokenizer counts. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
