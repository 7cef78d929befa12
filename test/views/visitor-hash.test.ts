import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, useClock, type Clock } from '../../src/lib/clock';
import { viewCounter } from '../../src/views/counter-client';
import { visitorSignals } from '../../src/views/visitor';

// The hashing moved from node:crypto to @noble/hashes. Rate-limit keys, shard buckets and the
// visitor hashes already stored by counters must not change, so the values below were
// computed once with node:crypto (createHash / createHmac) and are pinned here.

const chromeUa =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';

function headersOf(ip: string | null, userAgent: string | null): Headers {
  const headers = new Headers();
  if (ip !== null) headers.set('CF-Connecting-IP', ip);
  if (userAgent !== null) headers.set('User-Agent', userAgent);
  return headers;
}

const utf8 = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
}

async function hmacSha256(key: Uint8Array, text: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    key,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, utf8.encode(text)));
}

// Decoding rather than encoding, so the check does not repeat the code under test.
function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const hex = (bytes: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('visitorSignals', () => {
  it('derives the rate-limit key node:crypto derived, so limits stay put', () => {
    const pinned = [
      { ip: '203.0.113.7', ua: chromeUa, key: 'AmQ7rrR-zGZZwhbc', bucket: 2733075653 },
      { ip: null, ua: null, key: 'AbpHGcgLb-kRsJGn', bucket: 3226543286 },
      // node:crypto hashed strings as UTF-8, not Latin-1; workerd warns about the header.
      {
        ip: '2001:db8::1',
        ua: 'Mozilla/5.0 (Lésé; ÿ)',
        key: 'qwdI9xhD4K2hrfc0',
        bucket: 2797546725,
      },
      {
        ip: '198.51.100.30',
        ua: 'Mozilla/5.0 reader-30',
        key: 'a6_rEPd91N6-9KWf',
        bucket: 916370175,
      },
    ];
    for (const { ip, ua, key, bucket } of pinned) {
      // The bucket is now derived from the IP alone (the per-IP cap needs one IP on one
      // shard); the pinned bucket of (IP, User-Agent) is kept above as the old value.
      expect(bucket).toBeTypeOf('number');
      expect(visitorSignals(headersOf(ip, ua))).toMatchObject({
        ip: ip ?? '',
        userAgent: ua ?? '',
        key,
      });
    }
  });

  it('derives the key from SHA-256 of ip and user agent, and the shard bucket from the IP alone', async () => {
    const cases: [string, string][] = [['', '']];
    for (let i = 0; i < 64; i++) cases.push([`198.51.100.${i}`, `${chromeUa} reader-${i}`]);
    for (const [ip, ua] of cases) {
      const digest = await sha256(`${ip}\n${ua}`);
      const signals = visitorSignals(headersOf(ip, ua));
      expect(signals.key).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(hex(fromBase64url(signals.key))).toBe(hex(digest.subarray(0, 12)));
      const ipDigest = await sha256(`ip\n${ip}`);
      expect(hex(fromBase64url(signals.ipKey))).toBe(hex(ipDigest.subarray(0, 12)));
      expect(signals.bucket).toBe(
        ((ipDigest[12]! << 24) | (ipDigest[13]! << 16) | (ipDigest[14]! << 8) | ipDigest[15]!) >>>
          0,
      );
    }
  });

  it('hashes only the first 512 characters of the user agent', async () => {
    const ua = `${chromeUa} ${'x'.repeat(600)}`;
    const digest = await sha256(`203.0.113.7\n${ua.slice(0, 512)}`);
    const signals = visitorSignals(headersOf('203.0.113.7', ua));
    expect(hex(fromBase64url(signals.key))).toBe(hex(digest.subarray(0, 12)));
  });
});

// 2026-11-28 12:00 in Asia/Shanghai.
const noon = Date.UTC(2026, 10, 28, 4, 0, 0);
const minute = 60_000;

describe('ViewCounter visitor hash', () => {
  // The hits below are stamped on one 2026 day; the object's clock must agree, or under the
  // suite's 2041 clock every alarm it sets would already be due and fire mid-test.
  let restoreClock: Clock;
  beforeEach(() => {
    restoreClock = useClock(fixedClock(noon));
  });
  afterEach(() => {
    useClock(restoreClock);
  });

  it('stores the first 16 bytes of HMAC-SHA-256 of article, ip and user agent under the day salt', async () => {
    const articleId = 900_002;
    const counter = viewCounter(env, articleId, 0);
    const ip = '192.0.2.44';
    await counter.hit({ articleId, shard: 0, ip, userAgent: chromeUa, now: noon });
    const stored = await runInDurableObject(counter, (_i, state) => ({
      salts: state.storage.sql
        .exec<{ salt: ArrayBuffer }>('SELECT salt FROM salts')
        .toArray()
        .map((r) => new Uint8Array(r.salt)),
      visitors: state.storage.sql
        .exec<{ visitor: ArrayBuffer }>('SELECT visitor FROM v_20261128')
        .toArray()
        .map((r) => hex(r.visitor)),
    }));
    expect(stored.salts).toHaveLength(1);
    expect(stored.salts[0]!.byteLength).toBe(32);
    const expected = await hmacSha256(stored.salts[0]!, `${articleId}\n${ip}\n${chromeUa}`);
    expect(stored.visitors).toEqual([hex(expected.subarray(0, 16))]);
  });

  it('recognises a visitor stored under a salt written before the switch', async () => {
    const articleId = 900_001;
    const counter = viewCounter(env, articleId, 0);
    // Salt bytes 0..31; the visitor hash is what createHmac produced for this reader.
    const salt = Uint8Array.from({ length: 32 }, (_, i) => i);
    const nodeHash = Uint8Array.from(
      '48750be61c5a74809a04aec56ac42806'.match(/../g)!.map((b) => parseInt(b, 16)),
    );
    await runInDurableObject(counter, (_i, state) => {
      state.storage.sql.exec("INSERT INTO salts (day, salt) VALUES ('2026-11-28', ?)", salt.buffer);
      state.storage.sql.exec(
        `CREATE TABLE v_20261128 (
          visitor BLOB PRIMARY KEY, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, views INTEGER NOT NULL
        ) WITHOUT ROWID`,
      );
      state.storage.sql.exec(
        'INSERT INTO v_20261128 (visitor, first_at, last_at, views) VALUES (?, ?, ?, 1)',
        nodeHash.buffer,
        noon - 10 * minute,
        noon - 10 * minute,
      );
    });
    // Woken from storage, as after a deploy.
    await evictDurableObject(counter);
    const reader = { articleId, shard: 0, ip: '203.0.113.7', userAgent: chromeUa };
    expect(await counter.hit({ ...reader, now: noon })).toEqual({
      counted: false,
      reason: 'duplicate',
      views: 1,
      visitors: 1,
    });
    expect(await counter.hit({ ...reader, now: noon + 31 * minute })).toEqual({
      counted: true,
      views: 2,
      visitors: 1,
    });
  });

  it('keeps counting a day table from before sharding (no bucket bits) once woken', async () => {
    const articleId = 900_003;
    const counter = viewCounter(env, articleId, 0);
    const ip = '198.51.100.61';
    await counter.hit({ articleId, shard: 0, ip, userAgent: chromeUa, now: noon });
    // The table as it was before rows kept their bucket bits: same rows, two columns fewer.
    await runInDurableObject(counter, (_i, state) => {
      const sql = state.storage.sql;
      sql.exec('ALTER TABLE v_20261128 RENAME TO t_old');
      sql.exec(
        `CREATE TABLE v_20261128 (
          ip BLOB NOT NULL, visitor BLOB NOT NULL, first_at INTEGER NOT NULL,
          last_at INTEGER NOT NULL, views INTEGER NOT NULL, PRIMARY KEY (ip, visitor)
        ) WITHOUT ROWID`,
      );
      sql.exec('INSERT INTO v_20261128 SELECT ip, visitor, first_at, last_at, views FROM t_old');
      sql.exec('DROP TABLE t_old');
    });
    await evictDurableObject(counter);
    const reader = { articleId, shard: 0, ip, userAgent: chromeUa };
    expect(await counter.hit({ ...reader, now: noon + minute })).toEqual({
      counted: false,
      reason: 'duplicate',
      views: 1,
      visitors: 1,
    });
    const columns = await runInDurableObject(counter, (_i, state) =>
      state.storage.sql
        .exec<{ name: string }>('PRAGMA table_info(v_20261128)')
        .toArray()
        .map((c) => c.name),
    );
    expect(columns).toEqual(['ip', 'visitor', 'first_at', 'last_at', 'views', 'b', 'imported']);
  });
});
