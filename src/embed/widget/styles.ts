import type { Theme } from './options';

/**
 * The placeholder element belongs to the host page for layout: it may set display, margin,
 * size or position on it. What would make the widget look broken (backgrounds, borders,
 * padding, fading, transforms on every div) is reset with !important, which beats the page's
 * own !important rules across the shadow boundary. Inherited text styles stop at the wrapper,
 * which starts from `all: initial`. Custom properties survive both, so --gazette-* set by the
 * site still theme the widget.
 */
const host =
  ':host{display:block;background:none!important;border:0!important;padding:0!important;box-shadow:none!important;outline:0!important;opacity:1!important;transform:none!important;filter:none!important;pointer-events:auto!important}';

const light =
  '--b:var(--gazette-bg,#fff);--f:var(--gazette-fg,#1f2328);--m:var(--gazette-muted,#59636e);--a:var(--gazette-accent,#b4232a);--l:var(--gazette-border,#dde1e6)';
const dark =
  '--b:var(--gazette-bg,#161b22);--f:var(--gazette-fg,#e6edf3);--m:var(--gazette-muted,#9da7b3);--a:var(--gazette-accent,#ff8e86);--l:var(--gazette-border,#30363d)';

const body =
  '.w{all:initial;display:block;box-sizing:border-box;container-type:inline-size;background:var(--b);color:var(--f);border:1px solid var(--l);border-radius:var(--gazette-radius,8px);padding:12px 16px;font:var(--gazette-font-size,15px)/1.6 var(--gazette-font,system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif)}' +
  'h2{margin:0 0 4px;font-size:1em;font-weight:600;color:var(--a)}' +
  'h3{margin:0 0 6px;font-size:1.1em;line-height:1.4}' +
  'ol{margin:0;padding:0;list-style:none}' +
  'li{padding:7px 0;border-top:1px solid var(--l)}' +
  'li:first-child{border-top:0}' +
  'li a{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden;line-height:1.5}' +
  'li .m{display:block}' +
  '.r{counter-reset:r}.r li{counter-increment:r;display:grid;grid-template-columns:1.3em 1fr}.r li:before{content:counter(r);grid-row:span 2;color:var(--a);font-weight:700}' +
  // Wide enough: one line per article, the date and count at the end.
  '@container(min-width:480px){li,.r li{display:flex;gap:12px;align-items:baseline}li a{flex:1;min-width:0;-webkit-line-clamp:1}.r li:before{min-width:1em}}' +
  'a{color:inherit;text-decoration:none}' +
  'a:hover{color:var(--a);text-decoration:underline}' +
  'a:focus-visible{outline:2px solid var(--a);outline-offset:2px}' +
  'p{margin:0 0 8px;color:var(--m)}' +
  '.m{color:var(--m);font-size:.85em;white-space:nowrap;font-variant-numeric:tabular-nums}' +
  '.x{display:flex;flex-wrap:wrap;gap:2px 14px}';

/** Light and dark follow the reader's prefers-color-scheme unless data-theme pins one. */
export function widgetCss(theme: Theme): string {
  const scheme =
    theme === 'dark'
      ? `.w{${dark};color-scheme:dark}`
      : theme === 'light'
        ? `.w{${light};color-scheme:light}`
        : `.w{${light}}@media(prefers-color-scheme:dark){.w{${dark}}}`;
  return host + body + scheme;
}

/**
 * A bare counter is part of the host's sentence: it takes the host's font and colour, and
 * the host styles it like any other span.
 */
export const countCss = ':host{display:inline}';
