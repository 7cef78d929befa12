import { describe, expect, it } from 'vitest';
import {
  derivePassword,
  hashPassword,
  passwordIterations,
  passwordProblem,
  verifyPassword,
} from '../../src/auth/passwords';

describe('password hashing (PBKDF2-SHA256)', () => {
  it('uses the Workers cap of 100,000 iterations and refuses stored counts above it', async () => {
    expect(passwordIterations).toBe(100_000);
    const stored = await hashPassword('correct horse battery');
    expect(stored.passwordIterations).toBe(100_000);
    // A row claiming more work than the platform allows is refused without deriving anything.
    expect(
      await verifyPassword('correct horse battery', { ...stored, passwordIterations: 100_001 }),
    ).toBe(false);
    expect(
      await verifyPassword('correct horse battery', { ...stored, passwordIterations: 0 }),
    ).toBe(false);
  });

  it('matches the RFC 7914 PBKDF2-HMAC-SHA256 test vector', async () => {
    // RFC 7914 §11: P="passwd", S="salt", c=1, dkLen=64 (first 32 bytes here).
    const out = await derivePassword('passwd', new TextEncoder().encode('salt'), 1);
    expect([...out.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('')).toBe(
      '55ac046e56e3089f',
    );
  });

  it('verifies the right password and refuses a wrong one, with a salt per hash', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a.passwordSalt).not.toBe(b.passwordSalt);
    expect(a.passwordHash).not.toBe(b.passwordHash);
    expect(a.passwordIterations).toBe(passwordIterations);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
  });

  it('refuses short, repetitive or username-containing passwords', () => {
    expect(passwordProblem('short', 'li')).toMatch(/at least/);
    expect(passwordProblem('aaaaaaaaaaaa', 'li')).toMatch(/repeated/);
    expect(passwordProblem('zhangwei-2026!', 'zhangwei')).toMatch(/username/);
    expect(passwordProblem('盘锦市新闻中心2026', 'editor')).toBeNull();
  });
});
