import { CustomConverter } from 'opencc-js/core';
import traditionalToSimplified from 'opencc-js/dict/TSCharacters';
import { describe, expect, it } from 'vitest';
import { foldCodePoint } from '../../src/search/normalize';
import { packedTsCharacters } from '../../src/search/ts-characters.gen';
import { packTable, unpackTable } from '../../src/search/ts-table';

describe('the packed TSCharacters table', () => {
  it("maps every character of OpenCC's table as OpenCC's converter does", () => {
    const convert = CustomConverter(traditionalToSimplified);
    const table = unpackTable(packedTsCharacters);
    const keys = traditionalToSimplified.split('|').map((entry) => entry.split(' ')[0]!);
    expect(table.size).toBe(keys.length);
    for (const key of keys) expect(table.get(key), key).toBe(convert(key));
  });

  it('folds traditional characters to simplified through it', () => {
    expect([...'盤錦發佈會'].map(foldCodePoint).join('')).toBe('盘锦发布会');
  });

  it('refuses an entry that is not one character to one', () => {
    expect(() => packTable('乾 干|乾隆 乾隆')).toThrow(/not one character to one/);
    expect(() => packTable('著 着 著')).toThrow(/not one character to one/);
  });
});
