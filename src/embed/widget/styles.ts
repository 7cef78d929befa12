import type { Theme } from './options';

/**
 * Host pages restyle the placeholder element itself (outer rules reach the shadow host), so
 * :host resets everything with !important, which beats the page's own !important rules
 * across the shadow boundary. Custom properties survive `all`, so --gazette-* set by the
 * site still theme the widget.
 */
const host = ':host{all:initial!important;display:block!important}';

const light =
  '--b:var(--gazette-bg,#fff);--f:var(--gazette-fg,#1f2328);--m:var(--gazette-muted,#59636e);--a:var(--gazette-accent,#b4232a);--l:var(--gazette-border,#dde1e6)';
const dark =
  '--b:var(--gazette-bg,#161b22);--f:var(--gazette-fg,#e6edf3);--m:var(--gazette-muted,#9da7b3);--a:var(--gazette-accent,#ff8e86);--l:var(--gazette-border,#30363d)';

const body =
  '.w{box-sizing:border-box;background:var(--b);color:var(--f);border:1px solid var(--l);border-radius:var(--gazette-radius,8px);padding:12px 16px;font:var(--gazette-font-size,15px)/1.6 var(--gazette-font,system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif);text-align:start}' +
  'h2{margin:0 0 4px;font-size:1em;font-weight:600;color:var(--a)}' +
  'h3{margin:0 0 6px;font-size:1.1em;line-height:1.4}' +
  'ol{margin:0;padding:0;list-style:none}' +
  'li{display:flex;gap:12px;align-items:baseline;padding:6px 0;border-top:1px solid var(--l)}' +
  'li:first-child{border-top:0}' +
  '.r{counter-reset:r}.r li{counter-increment:r}.r li:before{content:counter(r);min-width:1em;color:var(--a);font-weight:600}' +
  'a{color:inherit;text-decoration:none}' +
  'li a{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}' +
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
  return host + scheme + body;
}

/** A bare counter reads as part of the host's sentence, so it takes the host's font and colour. */
export const countCss =
  ':host{all:initial!important;display:inline!important;font:inherit!important;color:inherit!important}';
