/**
 * Which video players an article body may embed. Kept apart from the sanitizer itself so the
 * pages, which only need the CSP sources, do not import sanitize-html.
 */

/** The sandbox a video player gets: it may run its own script, never touch the reader's page. */
export const videoFrameSandbox = 'allow-scripts allow-same-origin allow-presentation allow-popups';

export interface SanitizePolicy {
  /** Exact host names whose https iframes are kept (a video player), e.g. `player.bilibili.com`. */
  videoHosts: readonly string[];
}

export const noVideoHosts: SanitizePolicy = { videoHosts: [] };

const hostPattern = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The video hosts from the `VIDEO_EMBED_HOSTS` variable: host names separated by commas or
 * spaces. Anything that is not a plain host name (a scheme, a path, a wildcard) is ignored, so
 * a typo can only narrow the list, never open it.
 */
export function videoHostsFrom(value: string | undefined): string[] {
  if (!value) return [];
  const hosts = value
    .split(/[\s,]+/)
    .map((h) => h.trim().toLowerCase())
    .filter((h) => hostPattern.test(h));
  return [...new Set(hosts)];
}

const policies = new WeakMap<object, SanitizePolicy>();

/** The sanitizer policy of a deployment; the write commands and the page CSP read the same one. */
export function sanitizePolicy(env: { VIDEO_EMBED_HOSTS?: string }): SanitizePolicy {
  let policy = policies.get(env);
  if (!policy) {
    policy = { videoHosts: videoHostsFrom(env.VIDEO_EMBED_HOSTS) };
    policies.set(env, policy);
  }
  return policy;
}

/** The `frame-src` sources that let the allowed video players load under a page's CSP. */
export function videoFrameSources(policy: SanitizePolicy): string | null {
  return policy.videoHosts.length ? policy.videoHosts.map((h) => `https://${h}`).join(' ') : null;
}
