/**
 * embed.js: finds [data-gazette] placeholders, fetches what they need from the Gazette that
 * served this script (in as few requests as possible) and renders each into its own shadow
 * root. It also sizes Gazette iframes that report their height.
 */
import { parseSpec, pickLang, pickTheme, type Spec } from '../options';
import { callKey, pick, planCalls, type Call, type Picked } from '../plan';
import { render } from './render';

interface Namespace {
  version: string;
  /** Looks for new placeholders now (they are also picked up on their own). */
  scan(): void;
}

declare global {
  interface Window {
    Gazette?: Namespace;
  }
}

const resize = 'gazette:resize';

function start(): void {
  // Included twice: the first copy already serves the page.
  if (window.Gazette) return window.Gazette.scan();

  const script = document.currentScript as HTMLScriptElement | null;
  const src =
    script?.src || document.querySelector<HTMLScriptElement>('script[src*="/embed."]')?.src;
  if (!src) return;
  // The API is wherever this script came from, never the host page's own origin.
  const origin = new URL(src).origin;

  const seen = new WeakSet<Element>();
  const warned = new Set<string>();
  const warn = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    console.warn('Gazette embed: ' + message);
  };
  const outage = `could not load from ${origin}; placeholders were left as they are`;
  const responses = new Map<string, Promise<unknown>>();

  const call = (c: Call): Promise<unknown> => {
    const key = callKey(c);
    let p = responses.get(key);
    if (!p) {
      p = fetch(origin + c.path, {
        method: c.method,
        credentials: 'omit',
        keepalive: c.method === 'POST',
      }).then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
      responses.set(key, p);
      // A failed read may be retried by a later placeholder; a beacon is sent once per page.
      if (c.method === 'GET') p.catch(() => responses.delete(key));
    }
    return p;
  };

  /**
   * One number per page: a card or list item for an article that also has a live counter on
   * this page shows the counter's number, never the last flushed one beside it.
   */
  const withLiveViews = async (got: Picked, live: Map<number, Call>): Promise<Picked> => {
    const items =
      got.kind === 'article'
        ? got.article
          ? [got.article]
          : []
        : got.kind === 'list'
          ? got.items
          : [];
    await Promise.all(
      items
        .filter((a) => live.has(a.id))
        .map((a) => {
          const lc = live.get(a.id)!;
          return call(lc).then(
            (body) => {
              const v = pick({ kind: 'views', id: a.id, count: lc.method === 'POST' }, lc, body);
              if (v?.kind === 'views' && v.views !== null) a.views = v.views;
            },
            () => undefined,
          );
        }),
    );
    return got;
  };

  const mount = (el: HTMLElement, spec: Spec, c: Call, live: Map<number, Call>) =>
    call(c)
      .then((body) => {
        const got = pick(spec, c, body);
        if (!got) throw 0;
        return withLiveViews(got, live);
      })
      .then((got) => {
        if (
          (got.kind === 'article' && !got.article) ||
          (got.kind === 'views' && got.views === null)
        ) {
          return warn(`no published article ${(spec as { id: number }).id}`);
        }
        let root: ShadowRoot;
        try {
          root = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
        } catch {
          return warn(`<${el.localName}> cannot hold a widget; use a div or span`);
        }
        render(root, spec, got, {
          lang: pickLang(el.dataset.lang, el.closest('[lang]')?.getAttribute('lang') ?? undefined),
          theme: pickTheme(el.dataset.theme),
          heading: el.dataset.title,
        });
      })
      .catch((e) => warn(e === 404 ? `${origin}${c.path} was not found` : outage));

  const scan = () => {
    const found: [HTMLElement, Spec][] = [];
    document.querySelectorAll<HTMLElement>('[data-gazette]').forEach((el) => {
      if (seen.has(el)) return;
      seen.add(el);
      const spec = parseSpec(el.dataset);
      if (spec) found.push([el, spec]);
      else warn('skipped a placeholder with an unknown data-gazette or a bad data-id/data-channel');
    });
    const calls = planCalls(found.map((f) => f[1]));
    const live = new Map<number, Call>();
    found.forEach(([, spec], i) => {
      if (spec.kind === 'views') live.set(spec.id, calls[i]!);
    });
    found.forEach(([el, spec], i) => mount(el, spec, calls[i]!, live));
  };

  window.Gazette = { version: '1', scan };

  addEventListener('message', (e) => {
    const d = e.data as { type?: unknown; height?: unknown } | null;
    if (e.origin !== origin || !d || d.type !== resize) return;
    const height = d.height;
    if (typeof height !== 'number' || !(height >= 0 && height <= 1e5)) return;
    document.querySelectorAll('iframe').forEach((frame) => {
      if (frame.contentWindow === e.source) frame.style.height = Math.ceil(height) + 'px';
    });
  });

  let queued = false;
  const begin = () => {
    scan();
    // Frames that loaded before this script could hear them are asked for their height again.
    // '*' because a frame still loading holds about:blank, and the request carries nothing.
    document.querySelectorAll('iframe').forEach((frame) => {
      if (frame.src.startsWith(origin + '/embed/')) {
        frame.contentWindow?.postMessage({ type: 'gazette:measure' }, '*');
      }
    });
    new MutationObserver(() => {
      if (queued) return;
      queued = true;
      setTimeout(() => {
        queued = false;
        scan();
      });
    }).observe(document.documentElement, { childList: true, subtree: true });
  };
  // Waiting for the parser to finish lets one scan batch every placeholder in the markup.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', begin);
  else begin();
}

start();
