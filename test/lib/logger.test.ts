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
});
