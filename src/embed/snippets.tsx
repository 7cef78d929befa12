import { html } from 'hono/html';

/**
 * The HTML other sites paste. Built with hono/jsx or the html tag so every value is escaped, and
 * shared by the oEmbed answer and the site owners' page, so both always show the same code.
 */

/** Popups may leave the sandbox so "read more" opens a normal tab; the frame cannot navigate the host. */
export const frameSandbox =
  'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox';

export function iframeHtml(props: {
  src: string;
  title: string;
  width: number;
  height: number;
}): string {
  return String(
    <iframe
      src={props.src}
      title={props.title}
      width={props.width}
      height={props.height}
      style="border:0;max-width:100%"
      loading="lazy"
      sandbox={frameSandbox}
    ></iframe>,
  );
}

/** The html tag rather than JSX, which would write the boolean as async="". */
export function scriptHtml(origin: string, path = '/embed.js'): string {
  return String(html`<script async src="${origin + path}"></script>`);
}

export type WidgetAttrs = Record<`data-${string}`, string>;

export function placeholderHtml(tag: 'div' | 'span', attrs: WidgetAttrs): string {
  const Tag = tag;
  return String(<Tag {...attrs}></Tag>);
}
