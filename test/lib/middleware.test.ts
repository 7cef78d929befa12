import { describe, expect, it } from 'vitest';
import { accessLevel, slowRequestMs } from '../../src/lib/middleware';

describe('accessLevel', () => {
  it.each([
    [200, 5, 'debug'],
    [304, 5, 'debug'],
    [404, 5, 'info'],
    [429, 5, 'info'],
    [200, slowRequestMs, 'warn'],
    [404, slowRequestMs + 1, 'warn'],
    [503, 5, 'error'],
    [500, slowRequestMs * 3, 'error'],
  ] as const)('puts a %i answered in %i ms at %s', (status, durationMs, level) => {
    expect(accessLevel(status, durationMs)).toBe(level);
  });
});
