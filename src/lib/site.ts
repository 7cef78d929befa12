import { isValidTimeZone } from './time';

import type { Lang } from './labels';

/** The site's language; an alias of Lang kept for src/views until it imports Lang itself. */
export type SiteLang = Lang;

export interface SiteConfig {
  name: string;
  lang: Lang;
  timeZone: string;
}

interface SiteVars {
  SITE_NAME?: string;
  SITE_LANG?: string;
  SITE_TIME_ZONE?: string;
}

const cache = new WeakMap<object, SiteConfig>();

/** Site settings come from wrangler.toml [vars]; a bad value falls back rather than breaking every page. */
export function siteConfig(env: SiteVars): SiteConfig {
  const cached = cache.get(env);
  if (cached) return cached;
  const lang: Lang = env.SITE_LANG?.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
  const timeZone =
    env.SITE_TIME_ZONE && isValidTimeZone(env.SITE_TIME_ZONE)
      ? env.SITE_TIME_ZONE
      : 'Asia/Shanghai';
  const config: SiteConfig = { name: env.SITE_NAME || 'Gazette', lang, timeZone };
  cache.set(env, config);
  return config;
}
