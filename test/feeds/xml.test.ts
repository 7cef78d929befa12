import { describe, expect, it } from 'vitest';
import { newsLanguage, renderRss, type FeedModel } from '../../src/feeds/formats';
import { cdata, xml, xmlText } from '../../src/feeds/xml';
import { parseXml } from './xml-parse';

describe('xmlText', () => {
  it('drops characters XML 1.0 forbids and keeps everything else', () => {
    expect(xmlText('a\u0000b\u0008c\u000Bd\u001Fe\uFFFEf')).toBe('abcdef');
    expect(xmlText('tab\tnew\nline\r')).toBe('tab\tnew\nline\r');
    expect(xmlText('盘锦 😀')).toBe('盘锦 😀');
    expect(xmlText('lone \uD800 high, lone \uDC00 low')).toBe('lone  high, lone  low');
    expect(xmlText(null)).toBe('');
  });
});

describe('cdata', () => {
  it('splits a "]]>" so the section cannot end early', () => {
    expect(String(cdata('a]]>b'))).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    const doc = parseXml(`<?xml version="1.0" encoding="UTF-8"?><x>${cdata('<p>a]]>b</p>')}</x>`);
    expect(doc.x).toBe('<p>a]]>b</p>');
  });
});

describe('the xml tag', () => {
  it('escapes interpolated text and attributes', async () => {
    const hostile = `"><evil a='1'>&amp;`;
    const out = String(await xml`<a title="${hostile}">${hostile}</a>`);
    expect(out).toBe(
      '<a title="&quot;&gt;&lt;evil a=&#39;1&#39;&gt;&amp;amp;">&quot;&gt;&lt;evil a=&#39;1&#39;&gt;&amp;amp;</a>',
    );
  });
});

describe('renderRss', () => {
  it('writes a well-formed document from hostile values', async () => {
    const hostile = '<script>x</script>]]>&\u0001';
    const feed: FeedModel = {
      title: hostile,
      description: hostile,
      homeUrl: 'https://example.org/?a=1&b=2',
      selfUrl: 'https://example.org/feed.xml',
      language: 'zh-CN',
      siteName: hostile,
      updated: '2021-09-30T10:00:00+08:00',
      updatedRfc822: 'Thu, 30 Sep 2021 02:00:00 GMT',
      items: [
        {
          id: 'https://example.org/articles/1',
          url: 'https://example.org/articles/1/x',
          title: hostile,
          summary: hostile,
          contentHtml: `<p>${hostile}</p>`,
          published: '2021-09-30T10:00:00+08:00',
          publishedRfc822: 'Thu, 30 Sep 2021 02:00:00 GMT',
          updated: '2021-09-30T10:00:00+08:00',
          author: hostile,
          categories: [{ term: hostile, label: hostile }],
          language: 'zh-CN',
          image: null,
        },
      ],
    };
    const doc = parseXml(await renderRss(feed));
    expect(doc.rss.channel.title).toBe('<script>x</script>]]>&');
    expect(doc.rss.channel.link).toBe('https://example.org/?a=1&b=2');
    expect(doc.rss.channel.item[0]['content:encoded']).toBe('<p><script>x</script>]]>&</p>');
  });
});

describe('newsLanguage', () => {
  it('maps BCP 47 tags to the codes Google News accepts', () => {
    expect(newsLanguage('zh-CN')).toBe('zh-cn');
    expect(newsLanguage('zh')).toBe('zh-cn');
    expect(newsLanguage('zh-TW')).toBe('zh-tw');
    expect(newsLanguage('zh-Hant-HK')).toBe('zh-tw');
    expect(newsLanguage('en-GB')).toBe('en');
    expect(newsLanguage('EN')).toBe('en');
  });
});
