import { describe, expect, it } from 'vitest';
import { fold } from '../../src/search/normalize';
import { highlight, snippet } from '../../src/search/snippet';
import { htmlText } from '../../src/search/text';

describe('highlight', () => {
  it('marks every occurrence and escapes everything else', () => {
    expect(highlight('<b>盘锦</b> & 盘锦精神', ['盘锦'])).toBe(
      '&lt;b&gt;<mark>盘锦</mark>&lt;/b&gt; &amp; <mark>盘锦</mark>精神',
    );
  });

  it('marks the original characters a folded term matched', () => {
    expect(highlight('盤錦ＧＤＰ增長', [fold('盘锦'), fold('gdp')])).toBe(
      '<mark>盤錦ＧＤＰ</mark>增長',
    );
    expect(highlight('辽政发〔2024〕12号', [fold('辽政发(2024)12号')])).toBe(
      '<mark>辽政发〔2024〕12号</mark>',
    );
  });

  it('merges overlapping terms and keeps astral characters whole', () => {
    expect(highlight('先行区𠀀区', ['先行', '行区', '𠀀'])).toBe('<mark>先行区𠀀</mark>区');
  });
});

describe('snippet', () => {
  const long = `${'开头的句子。'.repeat(20)}这里说到盘锦精神的内容。${'结尾的句子。'.repeat(30)}`;

  it('cuts about the asked length around the first match, from a sentence start', () => {
    const s = snippet(long, ['盘锦精神'], 60);
    expect(s.matched).toBe(true);
    expect(s.html.startsWith('…这里说到<mark>盘锦精神</mark>')).toBe(true);
    expect(s.html.endsWith('…')).toBe(true);
    expect(s.html.replace(/<\/?mark>|…/g, '')).toHaveLength(60);
  });

  it('starts at the beginning when nothing matches', () => {
    const s = snippet(long, ['招聘'], 30);
    expect(s).toEqual({ html: `${'开头的句子。'.repeat(5)}…`, matched: false });
  });
});

describe('htmlText', () => {
  it('keeps the words of a sanitized body, with block ends as spaces and entities decoded', () => {
    expect(
      htmlText('<p>第一段&amp;<strong>加粗</strong></p><p>第二段&lt;3&#x4E2D;&#25991;</p>'),
    ).toBe('第一段&加粗 第二段<3中文');
  });
});
