import { describe, expect, it } from 'vitest';
import { canonicalQuery, maxQueryLength, maxTerms, parseQuery } from '../../src/search/query';

function parsed(raw: string) {
  const result = parseQuery(raw);
  if (!result.ok) throw new Error(result.reason);
  return result.query;
}

describe('parseQuery', () => {
  it('sends terms of three characters or more to the trigram index, shorter ones to the unigram one', () => {
    const q = parsed('2024年 盘锦 GDP 医');
    expect(q.include).toEqual([
      { text: '2024年', index: 'trigram', match: '"2024年"' },
      { text: '盘锦', index: 'unigram', match: '"盘 锦"' },
      { text: 'gdp', index: 'trigram', match: '"gdp"' },
      { text: '医', index: 'unigram', match: '"医"' },
    ]);
    expect(q.exclude).toEqual([]);
  });

  it('judges each term by its own length, not the whole query', () => {
    expect(parsed('盘锦 精神').include.map((t) => t.index)).toEqual(['unigram', 'unigram']);
    expect(parsed('盘锦精神').include.map((t) => t.index)).toEqual(['trigram']);
  });

  it('reads quoted phrases, spaces included, with straight or Chinese quotes', () => {
    expect(parsed('"盘锦 精神"').include).toEqual([
      { text: '盘锦 精神', index: 'trigram', match: '"盘锦 精神"' },
    ]);
    expect(parsed('“全面振兴”').include[0]!.text).toBe('全面振兴');
    expect(parsed('「先行区」 盘锦').include.map((t) => t.text)).toEqual(['先行区', '盘锦']);
    // A phrase the reader forgot to close runs to the end.
    expect(parsed('"盘锦 精神').include[0]!.text).toBe('盘锦 精神');
  });

  it('excludes words and phrases with a leading minus', () => {
    const q = parsed('盘锦 -招聘 -"通知 公告" 2024-10');
    expect(q.include.map((t) => t.text)).toEqual(['盘锦', '2024-10']);
    expect(q.exclude.map((t) => t.text)).toEqual(['招聘', '通知 公告']);
  });

  it('folds the query the way the index is folded', () => {
    expect(parsed('盤錦 ＧＤＰ 〔2024〕').include.map((t) => t.text)).toEqual([
      '盘锦',
      'gdp',
      '[2024]',
    ]);
  });

  it('turns FTS5 syntax into characters to look for, never operators', () => {
    const q = parsed('NEAR(盘锦 AND OR NOT * ^ title:x');
    expect(q.include.map((t) => t.match)).toEqual([
      '"near[盘锦"',
      '"and"',
      '"or"',
      '"not"',
      '"title:x"',
    ]);
    // Every match is exactly one quoted string: no quote inside survives unescaped.
    for (const term of parsed('a""b x"y').include) expect(term.match).toMatch(/^"(?:[^"]|"")*"$/);
  });

  it('drops terms with nothing a tokenizer would index', () => {
    expect(parsed('盘锦 * ^ )').include.map((t) => t.text)).toEqual(['盘锦']);
  });

  it.each([
    ['"', 'nothing_to_search'],
    ['*', 'nothing_to_search'],
    ['\u0000\u0007', 'nothing_to_search'],
    ['\ud800', 'nothing_to_search'],
    ['-盘锦 -先行区', 'only_excluded'],
    ['盘'.repeat(maxQueryLength + 1), 'too_long'],
    [Array.from({ length: maxTerms + 1 }, (_, i) => `词${i}`).join(' '), 'too_many_terms'],
  ])('refuses %j as %s', (raw, problem) => {
    const result = parseQuery(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toBe(problem);
  });

  it('gives the same canonical form to the same search however it was typed', () => {
    expect(canonicalQuery(parsed('盤錦  ＧＤＰ'))).toBe(canonicalQuery(parsed('盘锦 gdp')));
    expect(canonicalQuery(parsed('盘锦 gdp'))).not.toBe(canonicalQuery(parsed('盘锦 -gdp')));
  });
});
