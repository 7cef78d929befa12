import { describe, expect, it } from 'vitest';
import { siteConfig } from '../../src/lib/site';

describe('siteConfig', () => {
  it('reads the vars and falls back on bad values', () => {
    expect(
      siteConfig({ SITE_NAME: '盘锦', SITE_LANG: 'en-GB', SITE_TIME_ZONE: 'Europe/London' }),
    ).toEqual({
      name: '盘锦',
      lang: 'en',
      timeZone: 'Europe/London',
    });
    expect(siteConfig({ SITE_TIME_ZONE: 'Mars/Olympus' })).toEqual({
      name: 'Gazette',
      lang: 'zh-CN',
      timeZone: 'Asia/Shanghai',
    });
  });
});
