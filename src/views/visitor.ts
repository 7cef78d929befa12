import { sha256 } from '@noble/hashes/sha2.js';

/**
 * User agents that fetch pages without a reader behind them: crawlers, link previewers,
 * headless browsers, monitoring and HTTP libraries. Kept deliberately broad: a missed
 * human costs one view, a counted bot inflates every ranking.
 */
const botPattern = new RegExp(
  [
    'bot\\b',
    'bot/',
    'crawl',
    'spider',
    'slurp',
    'scrap',
    'archiver',
    'indexer',
    'facebookexternalhit',
    'facebookcatalog',
    'meta-externalagent',
    'twitterbot',
    'slackbot',
    'discordbot',
    'telegrambot',
    'whatsapp',
    'linkedinbot',
    'embedly',
    'quora link preview',
    'pinterest',
    'redditbot',
    'skypeuripreview',
    'vkshare',
    'w3c_validator',
    'iframely',
    'bingpreview',
    'google-inspectiontool',
    'googleother',
    'google-read-aloud',
    'feedfetcher',
    'mediapartners',
    'adsbot',
    'apis-google',
    'baiduspider',
    'sogou',
    '360spider',
    'yisouspider',
    'bytespider',
    'petalbot',
    'yandex',
    'applebot',
    'duckduckbot',
    'ahrefs',
    'semrush',
    'mj12bot',
    'dotbot',
    'gptbot',
    'chatgpt-user',
    'oai-searchbot',
    'ccbot',
    'claudebot',
    'claude-web',
    'anthropic-ai',
    'perplexity',
    'amazonbot',
    'bytedance',
    'headlesschrome',
    'phantomjs',
    'puppeteer',
    'playwright',
    'selenium',
    'webdriver',
    'cypress',
    'lighthouse',
    'pagespeed',
    'chrome-lighthouse',
    'gtmetrix',
    'pingdom',
    'uptimerobot',
    'statuscake',
    'site24x7',
    'newrelicpinger',
    'datadog',
    'curl/',
    'wget/',
    'httpie',
    'python-requests',
    'python-urllib',
    'aiohttp',
    'httpx',
    'go-http-client',
    'okhttp',
    'java/',
    'apache-httpclient',
    'libwww',
    'lwp-',
    'axios/',
    'node-fetch',
    'undici',
    'got (',
    'postmanruntime',
    'insomnia',
    'feedly',
    'inoreader',
    'newsblur',
    'rss',
    'preview',
    'validator',
    'monitor',
    'check_http',
  ]
    .map((s) => s.replace('(', '\\('))
    .join('|'),
  'i',
);

interface BotManagement {
  score?: number;
  verifiedBot?: boolean;
}

export function isBot(userAgent: string, cf?: { botManagement?: BotManagement } | null): boolean {
  const bm = cf?.botManagement;
  if (bm?.verifiedBot) return true;
  if (typeof bm?.score === 'number' && bm.score > 0 && bm.score < 30) return true;
  if (userAgent.trim().length < 10) return true;
  // Real browsers all announce themselves as Mozilla/…; libraries and tools rarely do.
  if (!/^mozilla\/|^opera\//i.test(userAgent)) return true;
  return botPattern.test(userAgent);
}

export interface VisitorSignals {
  ip: string;
  userAgent: string;
  /** Short, unlinkable key for the rate limiter and for picking a shard. Never stored. */
  key: string;
  /** Stable number for picking a shard. */
  bucket: number;
}

const utf8 = new TextEncoder();

export function visitorSignals(headers: Headers): VisitorSignals {
  // On Cloudflare CF-Connecting-IP is set by the edge and cannot be forged by the client.
  const ip = headers.get('CF-Connecting-IP') ?? '';
  const userAgent = (headers.get('User-Agent') ?? '').slice(0, 512);
  const digest = sha256(utf8.encode(`${ip}\n${userAgent}`));
  return {
    ip,
    userAgent,
    key: base64url(digest.subarray(0, 12)),
    bucket: new DataView(digest.buffer, digest.byteOffset).getUint32(12),
  };
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}
