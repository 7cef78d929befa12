import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  createToken,
  generateToken,
  hashToken,
  revokeTokenStatement,
  sameDigest,
  tokenPattern,
  verifyToken,
} from '../../src/auth/tokens';
import { apiTokens } from '../../src/db/schema';
import { now } from '../../src/lib/clock';
import { testDb, uniqueSlug } from '../helpers';

describe('API tokens', () => {
  it('are gz_ followed by 256 random bits in base64url, different every time', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a).toMatch(tokenPattern);
    expect(a).toHaveLength(3 + 43);
    expect(a).not.toBe(b);
  });

  it('are stored only as their SHA-256, never in the clear', async () => {
    const db = testDb();
    const name = uniqueSlug('tok');
    const { token, info } = await createToken(db, { name, role: 'editor', at: new Date(now()) });
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, info.id));
    expect(row!.tokenHash).toBe(await hashToken(token));
    expect(row!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token.slice(3));
    expect(row).toMatchObject({ name, role: 'editor', revokedAt: null, lastUsedAt: null });
  });

  it('verify a live token and refuse unknown, revoked and expired ones', async () => {
    const db = testDb();
    const at = new Date(now());
    const live = await createToken(db, { name: uniqueSlug('tok'), role: 'admin', at });
    expect(await verifyToken(db, live.token, at)).toMatchObject({
      ok: true,
      token: { id: live.info.id, role: 'admin' },
    });
    expect(await verifyToken(db, generateToken(), at)).toEqual({ ok: false, reason: 'unknown' });

    const expiring = await createToken(db, {
      name: uniqueSlug('tok'),
      role: 'admin',
      at,
      expiresAt: new Date(at.getTime() + 1000),
    });
    expect((await verifyToken(db, expiring.token, at)).ok).toBe(true);
    expect(await verifyToken(db, expiring.token, new Date(at.getTime() + 1000))).toEqual({
      ok: false,
      reason: 'expired',
    });

    await revokeTokenStatement(db, { id: live.info.id }, at);
    expect(await verifyToken(db, live.token, at)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('compare digests in constant time and only equal ones match', async () => {
    const a = await hashToken('gz_a');
    expect(sameDigest(a, a)).toBe(true);
    expect(sameDigest(a, await hashToken('gz_b'))).toBe(false);
    expect(sameDigest(a, a.slice(1))).toBe(false);
  });
});
