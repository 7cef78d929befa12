import { describe, expect, it } from 'vitest';
import { fold, foldWithOffsets, spaceIdeographs } from '../../src/search/normalize';

describe('fold', () => {
  it.each([
    ['ＧＤＰ', 'gdp'],
    ['１２３', '123'],
    ['GDP', 'gdp'],
    ['盤錦', '盘锦'],
    ['遼寧全面振興', '辽宁全面振兴'],
    ['先行區', '先行区'],
    ['辽政发〔2024〕12号', '辽政发[2024]12号'],
    ['辽政发[2024]12号', '辽政发[2024]12号'],
    ['辽政发(2024)12号', '辽政发[2024]12号'],
    ['辽政发（2024）12号', '辽政发[2024]12号'],
    ['【专题】', '[专题]'],
    ['Ｈｅｌｌｏ　Ｗｏｒｌｄ', 'hello world'],
    ['  a \t\n b  ', 'a b'],
    ['a\u200bb\ufeffc\u202ed', 'abcd'],
    ['x\u0000y\u0007z', 'x y z'],
    ['\ud800盘\udfff锦', '盘锦'],
    ['Cafe\u0301', 'café'],
  ])('folds %j to %j', (input, expected) => {
    expect(fold(input)).toBe(expected);
  });

  it('maps every traditional character the same way wherever it stands', () => {
    // Phrase tables would keep 乾 in 乾隆; a search folding must not, or 乾 alone misses it.
    expect(fold('乾隆')).toBe(`${fold('乾')}${fold('隆')}`);
  });

  it('records where each folded character came from', () => {
    const folded = foldWithOffsets('ＧＤＰ 盤錦𠀀好');
    expect(folded.text).toBe('gdp 盘锦𠀀好');
    expect(folded.offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 6, 8]);
  });
});

describe('spaceIdeographs', () => {
  it('makes every Han or kana character a token of its own and leaves words whole', () => {
    expect(spaceIdeographs('2024年盘锦gdp增长')).toBe('2024 年 盘 锦 gdp 增 长');
    expect(spaceIdeographs('カタカナ')).toBe('カ タ カ ナ');
    expect(spaceIdeographs('hello world')).toBe('hello world');
  });
});

describe('fold and foldWithOffsets', () => {
  it('fold to the same text', () => {
    for (const text of [
      '  ＧＤＰ  盤錦 ',
      '㈱ ﬁ\u0000\u0000 x',
      '',
      ' ',
      'a\u200b \u3000b',
      '〔2024〕 İ',
    ]) {
      expect(fold(text)).toBe(foldWithOffsets(text).text);
    }
  });
});
