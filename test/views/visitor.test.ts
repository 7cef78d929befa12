import { describe, expect, it } from 'vitest';
import { contradictsFetchMetadata, isBot, isForeignOrigin } from '../../src/views/visitor';

const chrome =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe('isBot', () => {
  it.each([
    ['Chrome on Windows', chrome],
    ['Firefox on Linux', 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'],
    [
      'WeChat on iOS',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40',
    ],
  ])('lets %s count', (_label, ua) => {
    expect(isBot(ua)).toBe(false);
  });

  it.each([
    ['bare Mozilla/5.0', 'Mozilla/5.0'],
    ['a platform but no engine', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)'],
    ['an engine without its version', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit (KHTML)'],
    ['an HTTP library', 'python-requests/2.32.3'],
    ['an empty User-Agent', ''],
    [
      'Googlebot (isbot)',
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    ],
    ['HeadlessChrome (isbot)', chrome.replace('Chrome/', 'HeadlessChrome/')],
  ])('refuses %s', (_label, ua) => {
    expect(isBot(ua)).toBe(true);
  });

  // The short list kept beside isbot 5.2.3: each entry is something isbot lets through.
  it.each([
    ['Puppeteer', `${chrome} Puppeteer`],
    ['WebDriver', `${chrome} WebDriver`],
    ['jsdom', `Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) jsdom/22.1.0`],
    ['Lighthouse', `${chrome} Lighthouse`],
    ['the KakaoTalk link previewer', `${chrome} kakaotalk-scrap/1.0`],
    ['the Nuzzel link previewer', `${chrome} Nuzzel`],
  ])('refuses %s, which isbot misses', (_label, ua) => {
    expect(isBot(ua)).toBe(true);
  });

  it('follows Cloudflare bot management where the zone has it', () => {
    expect(isBot(chrome, { botManagement: { verifiedBot: true } })).toBe(true);
    expect(isBot(chrome, { botManagement: { score: 5 } })).toBe(true);
    expect(isBot(chrome, { botManagement: { score: 90 } })).toBe(false);
  });
});

describe('contradictsFetchMetadata', () => {
  const h = (init: Record<string, string>) => new Headers(init);
  it('accepts a fetch or sendBeacon, and a request without Fetch Metadata', () => {
    expect(
      contradictsFetchMetadata(
        h({
          'Sec-Fetch-Dest': 'empty',
          'Sec-Fetch-Mode': 'no-cors',
          'Sec-Fetch-Site': 'cross-site',
        }),
        'beacon',
      ),
    ).toBe(false);
    expect(contradictsFetchMetadata(h({}), 'beacon')).toBe(false);
    expect(contradictsFetchMetadata(h({ 'Sec-Fetch-Dest': 'image' }), 'image')).toBe(false);
  });

  it('refuses navigations, typed addresses and other destinations', () => {
    expect(contradictsFetchMetadata(h({ 'Sec-Fetch-Dest': 'document' }), 'beacon')).toBe(true);
    expect(contradictsFetchMetadata(h({ 'Sec-Fetch-Mode': 'navigate' }), 'beacon')).toBe(true);
    expect(contradictsFetchMetadata(h({ 'Sec-Fetch-User': '?1' }), 'beacon')).toBe(true);
    expect(contradictsFetchMetadata(h({ 'Sec-Fetch-Site': 'none' }), 'beacon')).toBe(true);
    expect(contradictsFetchMetadata(h({ 'Sec-Fetch-Dest': 'empty' }), 'image')).toBe(true);
  });
});

describe('isForeignOrigin', () => {
  const own = 'https://news.example.gov.cn';
  const allowed = new Set(['https://partner.example']);
  const h = (init: Record<string, string>) => new Headers(init);
  it('allows any site while the allow-list is empty', () => {
    expect(isForeignOrigin(h({ Origin: 'https://evil.example' }), own, new Set())).toBe(false);
  });
  it('allows Gazette itself and listed sites, by Origin or else Referer', () => {
    expect(isForeignOrigin(h({ Origin: own }), own, allowed)).toBe(false);
    expect(isForeignOrigin(h({ Origin: 'https://partner.example' }), own, allowed)).toBe(false);
    expect(isForeignOrigin(h({ Referer: 'https://partner.example/a/b' }), own, allowed)).toBe(
      false,
    );
  });
  it('refuses other sites, and cross-site requests that hide their page', () => {
    expect(isForeignOrigin(h({ Origin: 'https://evil.example' }), own, allowed)).toBe(true);
    expect(isForeignOrigin(h({ 'Sec-Fetch-Site': 'cross-site' }), own, allowed)).toBe(true);
    expect(isForeignOrigin(h({}), own, allowed)).toBe(false);
  });
});
