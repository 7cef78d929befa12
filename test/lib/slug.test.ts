import { describe, expect, it } from 'vitest';
import { isValidSlug, slugify } from '../../src/lib/slug';

describe('slugs', () => {
  it('makes Latin titles into words and everything else into day plus hash', () => {
    expect(slugify('Hello, World!')).toBe('hello-world');
    expect(slugify('Ça va très bien')).toBe('ca-va-tres-bien');
    expect(slugify('盘锦市召开会议', '2021-09-30')).toMatch(/^20210930-[a-z0-9]{6}$/);
    expect(slugify('盘锦市召开会议', '2021-09-30')).toBe(slugify('盘锦市召开会议', '2021-09-30'));
    expect(slugify('盘锦市召开会议', '2021-09-30')).not.toBe(
      slugify('盘锦市召开大会', '2021-09-30'),
    );
    expect(slugify('12345')).toMatch(/^a-[a-z0-9]{6}$/);
    expect(slugify('GDP 5%', '2021-01-01')).toBe('gdp-5');
  });

  it('cuts long Latin titles at a word boundary', () => {
    const slug = slugify('word '.repeat(30));
    expect(slug.length).toBeLessThanOrEqual(60);
    expect(slug).toMatch(/^word(?:-word)*$/);
  });

  it('never produces a slug that could be read as an id', () => {
    for (const title of ['1', '2021', '３０', '一二三', '', '---']) {
      const slug = slugify(title, '2021-09-30');
      expect(isValidSlug(slug), `${title} -> ${slug}`).toBe(true);
      expect(slug).not.toMatch(/^[0-9]+$/);
    }
    expect(isValidSlug('123')).toBe(false);
    expect(isValidSlug('a'.repeat(81))).toBe(false);
  });
});
