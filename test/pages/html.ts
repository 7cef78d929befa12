import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createApp } from '../../src/app';

export interface Found {
  attrs: Record<string, string>;
  /** Decoded text content. */
  text: string;
  /** Text content exactly as it appears in the markup (entities still escaped). */
  rawText: string;
}

const entities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return String.fromCodePoint(code);
    }
    return entities[name.toLowerCase()] ?? whole;
  });
}

const voidElements = new Set(['meta', 'link', 'img', 'br', 'hr', 'input', 'source']);

/** Elements matching a CSS selector, found by workerd's own HTML parser (HTMLRewriter). */
export async function select(html: string, selector: string): Promise<Found[]> {
  const found: Found[] = [];
  const open: Found[] = [];
  await new HTMLRewriter()
    .on(selector, {
      element(el) {
        const item: Found = { attrs: {}, text: '', rawText: '' };
        for (const [name, value] of el.attributes as Iterable<[string, string]>) {
          item.attrs[name] = decodeEntities(value);
        }
        found.push(item);
        if (voidElements.has(el.tagName)) return;
        open.push(item);
        el.onEndTag(() => {
          open.splice(open.indexOf(item), 1);
        });
      },
      text(chunk) {
        for (const item of open) item.rawText += chunk.text;
      },
    })
    .transform(new Response(html))
    .text();
  for (const item of found) item.text = decodeEntities(item.rawText).replace(/\s+/g, ' ').trim();
  return found;
}

export async function selectOne(html: string, selector: string): Promise<Found> {
  const all = await select(html, selector);
  if (all.length !== 1) throw new Error(`expected one ${selector}, found ${all.length}`);
  return all[0]!;
}

/** Calls a fresh app with changed [vars], e.g. SITE_LANG=en, the way the worker would run. */
export async function getWithEnv(
  path: string,
  vars: Partial<Env>,
  init: RequestInit = {},
): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request(`http://gazette.test${path}`, init),
    { ...env, ...vars },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

/** The CSP a reader page must send: own-origin scripts and styles, nothing inline. */
export function expectStrictCsp(res: Response, expect: typeof import('vitest').expect) {
  const csp = res.headers.get('Content-Security-Policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
}
