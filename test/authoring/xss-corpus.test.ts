/**
 * Every payload of the corpus goes through POST /api/v1/admin/articles (then publish) in the
 * body and in every plain-text field (title, subtitle, summary, source, author; the channel's
 * name through the channel command), then
 * every surface that shows it is parsed and checked: the article page, the channel page, the
 * embed frames, oEmbed, the three feeds and the JSON API. Plain text must come back as the
 * very same text (stored as text, escaped on render), never dropped and never as markup.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createChannel } from '../../src/authoring/commands';
import { xmlText } from '../../src/feeds/xml';
import { now } from '../../src/lib/clock';
import { sanitizePolicy } from '../../src/lib/sanitize';
import { parseXml } from '../feeds/xml-parse';
import { admin, get, issueToken, json, testDb, uniqueSlug } from '../helpers';
import { bodyProblems, innerHtmlOf, pageProblems, textOf } from '../lib/html-safety';
import { xssCorpus, type XssPayload } from '../lib/xss-corpus';

const origin = 'http://gazette.test';
const chunkSize = 10;
const videoHosts = sanitizePolicy(env).videoHosts;

interface Seeded extends XssPayload {
  id: number;
  slug: string;
  channelSlug: string;
  /** The payload as each plain-text field holds it (the API caps their lengths). */
  title: string;
  short: string;
}

const seeded: Seeded[] = [];
const channels: { slug: string; name: string; members: Seeded[] }[] = [];
let token = '';

/** The write path editors use: create (a draft) through the admin API, then publish. */
async function write(entry: XssPayload, channelSlug: string, at: Date): Promise<Seeded> {
  const title = entry.payload.trim().slice(0, 300).trim();
  const short = entry.payload.slice(0, 200);
  const res = await admin('/articles', {
    token,
    json: {
      channel: channelSlug,
      title,
      subtitle: short,
      summary: entry.payload,
      source: short,
      author: short,
      body: `<p>前文</p>${entry.payload}<p>后文</p>`,
      publishedAt: at.toISOString(),
    },
  });
  if (res.status !== 201) throw new Error(`${entry.name}: ${res.status} ${await res.text()}`);
  const { data } = await json(res);
  const published = await admin(`/articles/${data.id}/publish`, {
    token,
    json: { publishedAt: at.toISOString() },
  });
  if (published.status !== 200) throw new Error(`${entry.name}: publish ${published.status}`);
  return { ...entry, id: data.id, slug: data.slug, channelSlug, title, short };
}

beforeAll(async () => {
  token = await issueToken('editor', { name: 'xss-corpus' });
  // Published in the past of whatever clock the suite runs under.
  const base = now() - 30 * 86_400_000;
  for (let i = 0; i < xssCorpus.length; i += chunkSize) {
    const chunk = xssCorpus.slice(i, i + chunkSize);
    const name = chunk[0]!.payload;
    const channel = await createChannel(testDb(), { slug: uniqueSlug('xss-ch'), name });
    const members: Seeded[] = [];
    for (const [j, entry] of chunk.entries()) {
      members.push(await write(entry, channel.slug, new Date(base + (i + j) * 60_000)));
    }
    seeded.push(...members);
    channels.push({ slug: channel.slug, name, members });
  }
  // Two requests per payload through the whole admin stack: longer than a hook's default.
}, 180_000);

/** What a plain-text field must read back as: the same text, minus what XML cannot carry. */
const asXmlText = (text: string) => xmlText(text).trim();

/**
 * hono escapes ' as &#39;, which fast-xml-parser (htmlEntities off) leaves alone where an XML
 * reader decodes it; &apos; is the same character, and the parser decodes that one.
 */
const readXml = async (res: Response) => parseXml((await res.text()).replaceAll('&#39;', '&apos;'));
const xmlValue = (value: unknown) => String(value ?? '');

describe('the XSS corpus through the write path', () => {
  it('stores plain-text fields as the text given and the body sanitized (JSON API)', async () => {
    for (const a of seeded) {
      const res = await get(`/api/v1/articles/${a.id}`);
      expect(res.status, a.name).toBe(200);
      const { data } = await json(res);
      expect({ title: data.title, subtitle: data.subtitle, summary: data.summary }, a.name).toEqual(
        { title: a.title, subtitle: a.short, summary: a.payload },
      );
      expect({ source: data.source, author: data.author }, a.name).toEqual({
        source: a.short,
        author: a.short,
      });
      expect(bodyProblems(data.body, videoHosts), `${a.name}: ${data.body}`).toEqual([]);
    }
  });

  it('renders harmless article pages that show the title as text', async () => {
    for (const a of seeded) {
      const res = await get(`/articles/${a.id}/${a.slug}`);
      expect(res.status, a.name).toBe(200);
      const page = await res.text();
      expect(
        await pageProblems(page, { frameOrigins: videoHosts.map((h) => `https://${h}`) }),
        a.name,
      ).toEqual([]);
      const body = innerHtmlOf(page, 'article-body');
      expect(body, a.name).not.toBeNull();
      expect(bodyProblems(body!, videoHosts), `${a.name}: ${body}`).toEqual([]);
      expect(textOf(page, 'h1')?.trim(), a.name).toBe(a.title);
    }
  });

  it('renders harmless channel pages that list the titles as text', async () => {
    for (const ch of channels) {
      const res = await get(`/channels/${ch.slug}`);
      expect(res.status, ch.name).toBe(200);
      const page = await res.text();
      expect(await pageProblems(page), ch.name).toEqual([]);
      expect(textOf(page, 'h1')?.trim(), ch.name).toBe(ch.name.trim());
    }
  });

  it('renders harmless embed frames for articles and channels', async () => {
    for (const a of seeded) {
      const res = await get(`/embed/articles/${a.id}`);
      expect(res.status, a.name).toBe(200);
      const page = await res.text();
      const rules = {
        csp: res.headers.get('Content-Security-Policy'),
        baseTargetOnly: true,
        frameOrigins: videoHosts.map((h) => `https://${h}`),
      };
      expect(await pageProblems(page, rules), a.name).toEqual([]);
      expect(bodyProblems(innerHtmlOf(page, 'body') ?? '', videoHosts), a.name).toEqual([]);
      expect(textOf(page, 'h1')?.trim(), a.name).toBe(a.title);
    }
    for (const ch of channels) {
      const res = await get(`/embed/channels/${ch.slug}`);
      expect(res.status, ch.name).toBe(200);
      const page = await res.text();
      const rules = { csp: res.headers.get('Content-Security-Policy'), baseTargetOnly: true };
      expect(await pageProblems(page, rules), ch.name).toEqual([]);
    }
  });

  it('answers oEmbed with the title as data and an iframe of our own origin only', async () => {
    for (const a of seeded) {
      const url = `${origin}/articles/${a.id}/${a.slug}`;
      const res = await get(`/oembed?${new URLSearchParams({ url, format: 'json' })}`);
      expect(res.status, a.name).toBe(200);
      const body = await json(res);
      expect(body.title, a.name).toBe(a.title);
      expect(await pageProblems(body.html, { frameOrigins: [origin] }), a.name).toEqual([]);
      expect(body.html, a.name).toMatch(
        new RegExp(`^<iframe src="${origin}/embed/articles/${a.id}"`),
      );
    }
  });

  it('writes RSS, Atom and JSON feeds that parse and carry the payloads harmlessly', async () => {
    for (const ch of channels) {
      const rssRes = await get(`/channels/${ch.slug}/feed.xml`);
      expect(rssRes.status, ch.name).toBe(200);
      const rss = await readXml(rssRes);
      const items = rss.rss.channel.item as any[];
      expect(items.length, ch.name).toBe(ch.members.length);
      for (const item of items) {
        const member = ch.members.find((m) => item.link.endsWith(`/articles/${m.id}/${m.slug}`))!;
        expect(member, item.link).toBeDefined();
        expect(xmlValue(item.title), member.name).toBe(asXmlText(member.title));
        expect(bodyProblems(xmlValue(item['content:encoded']), videoHosts), member.name).toEqual(
          [],
        );
      }

      const atomRes = await get(`/channels/${ch.slug}/atom.xml`);
      expect(atomRes.status, ch.name).toBe(200);
      const atom = await readXml(atomRes);
      for (const entry of atom.feed.entry as any[]) {
        expect(entry.title['@_type']).toBe('text');
        expect(ch.members.map((m) => asXmlText(m.title))).toContain(xmlValue(entry.title['#text']));
        expect(bodyProblems(xmlValue(entry.content['#text']), videoHosts), ch.name).toEqual([]);
      }

      const jsonRes = await get(`/channels/${ch.slug}/feed.json`);
      expect(jsonRes.status, ch.name).toBe(200);
      const feed = await json(jsonRes);
      expect(feed.items.length).toBe(ch.members.length);
      for (const item of feed.items) {
        const member = ch.members.find((m) => item.url.endsWith(`/articles/${m.id}/${m.slug}`))!;
        expect(item.title, member.name).toBe(member.title);
        expect(bodyProblems(item.content_html, videoHosts), member.name).toEqual([]);
      }
    }
  });

  it('keeps a configured video player on the page and in the embed frame, framed by the CSP', async () => {
    expect(videoHosts).toContain('player.bilibili.com');
    const channel = await createChannel(testDb(), { slug: uniqueSlug('video'), name: '视频' });
    const player = 'https://player.bilibili.com/player.html?bvid=BV1xx411c7mD';
    const a = await write(
      {
        name: 'video',
        payload: `<iframe src="${player}" width="640" height="360" allowfullscreen></iframe>`,
      },
      channel.slug,
      new Date(now() - 86_400_000),
    );
    for (const path of [`/articles/${a.id}/${a.slug}`, `/embed/articles/${a.id}`]) {
      const res = await get(path);
      const page = await res.text();
      expect(res.headers.get('Content-Security-Policy'), path).toContain(
        'frame-src https://player.bilibili.com https://v.qq.com https://player.youku.com',
      );
      expect(page, path).toContain(
        `<iframe src="${player.replace('&', '&amp;')}" width="640" height="360" allowfullscreen sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"`,
      );
    }
  });
});
