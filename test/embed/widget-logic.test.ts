import { describe, expect, it } from 'vitest';
import { formatCount, formatDate, safeHref, text } from '../../src/embed/widget/format';
import { labels } from '../../src/embed/widget/labels';
import { langs, labels as siteLabels } from '../../src/lib/labels';
import {
  parseLimit,
  parseSpec,
  pickLang,
  pickTheme,
  type Spec,
} from '../../src/embed/widget/options';
import {
  articleIdsPerCall,
  callKey,
  pick,
  planCalls,
  viewIdsPerCall,
} from '../../src/embed/widget/plan';
import { countCss, widgetCss } from '../../src/embed/widget/styles';

describe('parseSpec', () => {
  it('reads a latest placeholder with channel and limit', () => {
    expect(parseSpec({ gazette: 'latest', channel: 'news', limit: '3' })).toEqual({
      kind: 'latest',
      channel: 'news',
      limit: 3,
    });
  });

  it('defaults a latest placeholder to every channel and five items', () => {
    expect(parseSpec({ gazette: 'latest' })).toEqual({ kind: 'latest', channel: null, limit: 5 });
    expect(parseSpec({ gazette: ' latest ', channel: '  ' })).toEqual({
      kind: 'latest',
      channel: null,
      limit: 5,
    });
  });

  it('rejects a channel that is not a slug rather than showing every channel', () => {
    expect(parseSpec({ gazette: 'latest', channel: 'News!' })).toBeNull();
    expect(parseSpec({ gazette: 'latest', channel: 'a&b=c' })).toBeNull();
    expect(parseSpec({ gazette: 'popular', channel: '../x' })).toBeNull();
    expect(parseSpec({ gazette: 'latest', channel: 'a'.repeat(81) })).toBeNull();
  });

  it('reads a popular placeholder and falls back to the 7-day window', () => {
    expect(parseSpec({ gazette: 'popular', window: '1d', limit: '10' })).toEqual({
      kind: 'popular',
      window: '1d',
      channel: null,
      limit: 10,
    });
    expect(parseSpec({ gazette: 'popular', window: '30d', channel: 'news' })).toMatchObject({
      window: '30d',
      channel: 'news',
    });
    expect(parseSpec({ gazette: 'popular', window: '2w' })).toMatchObject({ window: '7d' });
    expect(parseSpec({ gazette: 'popular' })).toMatchObject({ window: '7d', limit: 5 });
  });

  it('reads article and views placeholders by numeric id', () => {
    expect(parseSpec({ gazette: 'article', id: '42' })).toEqual({ kind: 'article', id: 42 });
    expect(parseSpec({ gazette: 'views', id: ' 7 ' })).toEqual({
      kind: 'views',
      id: 7,
      count: false,
    });
  });

  it('rejects a missing, zero, negative, fractional or oversized id', () => {
    for (const id of [undefined, '', '0', '-1', '1.5', '01', 'abc', '12345678901234567890']) {
      expect(parseSpec({ gazette: 'article', id })).toBeNull();
      expect(parseSpec({ gazette: 'views', id })).toBeNull();
    }
  });

  it('counts a view only when data-count says yes', () => {
    const count = (value: string | undefined) =>
      (parseSpec({ gazette: 'views', id: '1', count: value }) as { count: boolean }).count;
    expect(count('true')).toBe(true);
    expect(count('')).toBe(true);
    expect(count('TRUE')).toBe(true);
    expect(count(undefined)).toBe(false);
    expect(count('false')).toBe(false);
    expect(count('no')).toBe(false);
  });

  it('rejects an unknown or missing kind', () => {
    expect(parseSpec({ gazette: 'weather' })).toBeNull();
    expect(parseSpec({})).toBeNull();
  });
});

describe('parseLimit', () => {
  it('clamps to 1..20 and falls back to 5 on anything unreadable', () => {
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('20')).toBe(20);
    expect(parseLimit('500')).toBe(20);
    expect(parseLimit('0')).toBe(1);
    expect(parseLimit('-3')).toBe(1);
    expect(parseLimit('2.5')).toBe(5);
    expect(parseLimit('ten')).toBe(5);
    expect(parseLimit('')).toBe(5);
    expect(parseLimit(undefined)).toBe(5);
  });
});

describe('pickLang', () => {
  it('prefers data-lang over the page language', () => {
    expect(pickLang('en', 'zh-CN')).toBe('en');
    expect(pickLang('zh-Hans', 'en')).toBe('zh-CN');
  });

  it('uses the page language when data-lang is absent or blank', () => {
    expect(pickLang(undefined, 'zh-TW')).toBe('zh-CN');
    expect(pickLang('', 'en-GB')).toBe('en');
    expect(pickLang(undefined, 'ZH')).toBe('zh-CN');
  });

  it('gives English to any other stated language and Chinese when nothing is stated', () => {
    expect(pickLang(undefined, 'fr')).toBe('en');
    expect(pickLang(undefined, 'zhx')).toBe('en');
    expect(pickLang(undefined, undefined)).toBe('zh-CN');
    expect(pickLang(' ', '')).toBe('zh-CN');
  });
});

describe('pickTheme', () => {
  it('pins light or dark and otherwise follows the reader', () => {
    expect(pickTheme('dark')).toBe('dark');
    expect(pickTheme(' Light ')).toBe('light');
    expect(pickTheme('blue')).toBeNull();
    expect(pickTheme(undefined)).toBeNull();
  });
});

describe('planCalls', () => {
  const keys = (specs: Spec[]) => planCalls(specs).map(callKey);
  const distinct = (specs: Spec[]) => new Set(keys(specs));

  it('makes one request per channel, asking for the largest limit', () => {
    const specs: Spec[] = [
      { kind: 'latest', channel: 'news', limit: 3 },
      { kind: 'latest', channel: 'news', limit: 8 },
      { kind: 'latest', channel: null, limit: 5 },
    ];
    expect(keys(specs)).toEqual([
      'GET /api/v1/articles?channel=news&limit=8',
      'GET /api/v1/articles?channel=news&limit=8',
      'GET /api/v1/articles?limit=5',
    ]);
  });

  it('makes one popular request per window and channel', () => {
    const specs: Spec[] = [
      { kind: 'popular', window: '7d', channel: null, limit: 5 },
      { kind: 'popular', window: '7d', channel: null, limit: 10 },
      { kind: 'popular', window: '1d', channel: null, limit: 5 },
      { kind: 'popular', window: '7d', channel: 'news', limit: 2 },
    ];
    expect(keys(specs)).toEqual([
      'GET /api/v1/articles/popular?window=7d&limit=10',
      'GET /api/v1/articles/popular?window=7d&limit=10',
      'GET /api/v1/articles/popular?window=1d&limit=5',
      'GET /api/v1/articles/popular?window=7d&channel=news&limit=2',
    ]);
  });

  it('reads every article card in one request with sorted, distinct ids', () => {
    const specs: Spec[] = [9, 2, 9, 5].map((id) => ({ kind: 'article', id }));
    expect(distinct(specs)).toEqual(new Set(['GET /api/v1/articles?ids=2,5,9']));
  });

  it('reads every plain counter in one request', () => {
    const specs: Spec[] = [4, 1, 4].map((id) => ({ kind: 'views', id, count: false }));
    expect(distinct(specs)).toEqual(new Set(['GET /api/v1/views?ids=1,4']));
  });

  it('sends one beacon per counted article and lets its plain counters read the answer', () => {
    const specs: Spec[] = [
      { kind: 'views', id: 3, count: true },
      { kind: 'views', id: 3, count: true },
      { kind: 'views', id: 3, count: false },
      { kind: 'views', id: 8, count: false },
    ];
    expect(keys(specs)).toEqual([
      'POST /api/v1/articles/3/views',
      'POST /api/v1/articles/3/views',
      'POST /api/v1/articles/3/views',
      'GET /api/v1/views?ids=8',
    ]);
  });

  it('splits batches at the API limit', () => {
    const cards: Spec[] = Array.from({ length: articleIdsPerCall + 1 }, (_, i) => ({
      kind: 'article',
      id: i + 1,
    }));
    const counters: Spec[] = Array.from({ length: viewIdsPerCall * 2 + 1 }, (_, i) => ({
      kind: 'views',
      id: i + 1,
      count: false,
    }));
    expect(distinct(cards).size).toBe(2);
    expect(distinct(counters).size).toBe(3);
    const first = [...distinct(cards)][0]!;
    expect(first.split('=')[1]!.split(',')).toHaveLength(articleIdsPerCall);
  });

  it('plans nothing for no placeholders and one request per kind for a mixed page', () => {
    expect(planCalls([])).toEqual([]);
    const specs: Spec[] = [
      { kind: 'latest', channel: null, limit: 5 },
      { kind: 'popular', window: '7d', channel: null, limit: 5 },
      { kind: 'article', id: 1 },
      { kind: 'article', id: 2 },
      { kind: 'views', id: 1, count: false },
      { kind: 'views', id: 2, count: false },
    ];
    expect(distinct(specs).size).toBe(4);
  });
});

describe('pick', () => {
  const a = (id: number) => ({ id, title: `t${id}`, views: id * 10 });

  it('slices a shared list to each placeholder limit', () => {
    const spec: Spec = { kind: 'latest', channel: null, limit: 2 };
    const [call] = planCalls([spec]);
    expect(pick(spec, call!, { data: [a(1), a(2), a(3)] })).toEqual({
      kind: 'list',
      items: [a(1), a(2)],
    });
  });

  it('finds a card by id and says null when the API left it out', () => {
    const spec: Spec = { kind: 'article', id: 2 };
    const [call] = planCalls([spec]);
    expect(pick(spec, call!, { data: [a(1), a(2)] })).toEqual({ kind: 'article', article: a(2) });
    expect(pick(spec, call!, { data: [a(1)] })).toEqual({ kind: 'article', article: null });
  });

  it('reads a counter from the batch or from the beacon answer', () => {
    const plain: Spec = { kind: 'views', id: 5, count: false };
    const counted: Spec = { kind: 'views', id: 5, count: true };
    const [get] = planCalls([plain]);
    const [post] = planCalls([counted]);
    expect(pick(plain, get!, { data: [{ id: 5, views: 12, visitors: 3 }] })).toEqual({
      kind: 'views',
      views: 12,
    });
    expect(pick(plain, get!, { data: [] })).toEqual({ kind: 'views', views: null });
    expect(pick(counted, post!, { views: 13, visitors: 4, counted: true })).toEqual({
      kind: 'views',
      views: 13,
    });
  });

  it('treats a response of the wrong shape as a failure', () => {
    const list: Spec = { kind: 'latest', channel: null, limit: 2 };
    const counted: Spec = { kind: 'views', id: 5, count: true };
    const [get] = planCalls([list]);
    const [post] = planCalls([counted]);
    expect(pick(list, get!, null)).toBeUndefined();
    expect(pick(list, get!, { data: 'x' })).toBeUndefined();
    expect(pick(counted, post!, { views: '13' })).toBeUndefined();
    expect(pick(list, get!, { data: [null, { id: '1' }, a(4)] })).toEqual({
      kind: 'list',
      items: [a(4)],
    });
  });
});

describe('formatting', () => {
  it('shows the calendar day the newsroom published on, whatever the reader zone', () => {
    expect(formatDate('2021-09-30T23:30:00+08:00')).toBe('2021-09-30');
    expect(formatDate('garbage')).toBe('');
    expect(formatDate(undefined)).toBe('');
  });

  it('groups thousands and shows zero for anything that is not a count', () => {
    expect(formatCount(1234567, 'zh-CN')).toBe('1,234,567');
    expect(formatCount(1234, 'en')).toBe('1,234');
    expect(formatCount(-5, 'en')).toBe('0');
    expect(formatCount('12', 'zh-CN')).toBe('0');
    expect(formatCount(Number.NaN, 'zh-CN')).toBe('0');
  });

  it('only lets absolute http(s) URLs become links', () => {
    expect(safeHref('https://news.example/articles/1/a')).toBe('https://news.example/articles/1/a');
    expect(safeHref('HTTP://x.example/')).toBe('HTTP://x.example/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('//evil.example/')).toBeNull();
    expect(safeHref(42)).toBeNull();
  });

  it('passes text through and drops non-strings', () => {
    expect(text('<b>x</b>')).toBe('<b>x</b>');
    expect(text(null)).toBe('');
  });
});

describe('labels', () => {
  it('has Chinese and English for every label', () => {
    expect(Object.keys(labels['zh-CN']).sort()).toEqual(Object.keys(labels.en).sort());
    expect(labels['zh-CN'].views).toBe('浏览次数');
    expect(labels['zh-CN'].source).toBe('信息来源');
    expect(labels.en.popular['30d']).toBe('Popular this month');
  });

  it("speaks every language the site does, with the site's words for an article's facts", () => {
    // The widget keeps its own small table so embed.js does not carry every site label.
    expect(Object.keys(labels).sort()).toEqual([...langs].sort());
    for (const lang of langs) {
      expect(labels[lang].source).toBe(siteLabels[lang].source);
      expect(labels[lang].published).toBe(siteLabels[lang].publishedAt);
      expect(labels[lang].views).toBe(siteLabels[lang].views);
    }
  });

  it('words view counts in each language', () => {
    expect(labels['zh-CN'].viewsCount('1,024', 1024)).toBe('浏览 1,024');
    expect(labels.en.viewsCount('1', 1)).toBe('1 view');
    expect(labels.en.viewsCount('2', 2)).toBe('2 views');
  });
});

describe('widget styles', () => {
  it('leaves layout to the host page and resets what would make the widget look broken', () => {
    const css = widgetCss(null);
    const host = /^:host\{([^}]*)\}/.exec(css)![1]!;
    expect(host).toContain('display:block;');
    expect(host).not.toMatch(/display:block!important|margin|width|position/);
    for (const reset of [
      'background:none!important',
      'opacity:1!important',
      'transform:none!important',
    ]) {
      expect(host).toContain(reset);
    }
  });

  it('stops inherited text styles at the wrapper and themes through custom properties', () => {
    const css = widgetCss(null);
    expect(css).toContain('.w{all:initial;display:block;');
    expect(css).toContain('var(--gazette-accent,');
    expect(css).toContain('var(--gazette-font-size,15px)');
    expect(css).toContain('@media(prefers-color-scheme:dark)');
  });

  it('pins a theme without the media query when data-theme asks for one', () => {
    expect(widgetCss('dark')).not.toContain('prefers-color-scheme');
    expect(widgetCss('dark')).toContain('#161b22');
    expect(widgetCss('light')).not.toContain('#161b22');
  });

  it('lets a bare counter read as part of the host sentence', () => {
    expect(countCss).toBe(':host{display:inline}');
  });
});
