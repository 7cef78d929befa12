import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/lib/logger';

describe('logger', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one JSON line per event with the base fields, honouring the level', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((l: unknown) => void lines.push(String(l)));
    vi.spyOn(console, 'error').mockImplementation((l: unknown) => void lines.push(String(l)));
    const logger = createLogger('info', { requestId: 'req-1' });
    logger.debug('hidden');
    logger.info('shown', { status: 200 });
    logger.error('broke');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 'info', msg: 'shown', requestId: 'req-1', status: 200 },
      { level: 'error', msg: 'broke', requestId: 'req-1' },
    ]);
    lines.length = 0;
    createLogger('silent').error('nothing');
    expect(lines).toEqual([]);
  });

  it('says which levels it writes, and writes a line at a level given by name', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((l: unknown) => void lines.push(String(l)));
    const logger = createLogger('warn', { requestId: 'req-2' });
    expect([logger.enabled('info'), logger.enabled('warn'), logger.enabled('error')]).toEqual([
      false,
      true,
      true,
    ]);
    logger.log('info', 'hidden');
    logger.log('warn', 'slow', { durationMs: 1200 });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 'warn', msg: 'slow', requestId: 'req-2', durationMs: 1200 },
    ]);
    expect(createLogger('nonsense').enabled('info')).toBe(true);
    expect(createLogger('nonsense').enabled('debug')).toBe(false);
  });
});
