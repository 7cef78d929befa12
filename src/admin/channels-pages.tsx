import type { Hono } from 'hono';
import { primaryDb } from '../auth/session';
import { auditContext } from '../authoring/audit';
import { afterTaxonomyWrite, effectContext } from '../authoring/effects';
import { afterChannelWrite } from '../authoring/taxonomy-effects';
import { channelCreateBody, channelPatchBody } from '../authoring/schemas';
import {
  createChannelCommand,
  deleteChannel,
  findChannelRow,
  patchChannel,
  reorderChannels,
} from '../authoring/taxonomy';
import { listAdminChannelTree, type AdminChannelNode } from '../authoring/taxonomy-queries';
import { AppError } from '../lib/errors';
import type { StructureDone, StructureLabels } from './labels';
import {
  ActionButton,
  Csrf,
  fill,
  flattenTree,
  InlineError,
  parseForm,
  slugOf,
  structurePage,
  type AdminFrame,
  type AdminPageEnv,
  type PageError,
} from './form-kit';

/**
 * /admin/channels: the tree with article counts; reorder (up/down), rename, move, create and
 * delete, each a plain form posting to the authoring commands the API uses.
 */

interface ChannelsView {
  tree: AdminChannelNode[];
  flat: ReturnType<typeof flattenTree<AdminChannelNode>>;
  l: StructureLabels;
  csrf?: string;
  error?: PageError;
  fields: Record<string, string>;
  /** `slug:up` or `slug:down`: the button that keeps the keyboard's focus after a reorder. */
  focus?: string;
}

function missing(slug: string): never {
  throw new AppError('not_found', { detail: `No channel '${slug}'` });
}

/**
 * Back to the page, at the channel (`#channel-slug`) or, after a reorder, with the focus on
 * the button pressed (`focus`: rendered as autofocus, which a fragment would cancel).
 */
function back(done: StructureDone, at?: { slug: string; focus?: string }): string {
  const query = new URLSearchParams({ done, ...(at?.focus ? { focus: at.focus } : {}) });
  const fragment = at && !at.focus ? `#channel-${at.slug}` : '';
  return `/admin/channels?${query.toString()}${fragment}`;
}

/** The parent picker: a channel cannot go under itself; its own subtree is shown but disabled. */
function ParentOptions(props: { v: ChannelsView; self?: string; selected: string | null }) {
  const { v, self } = props;
  return (
    <>
      <option value="" selected={props.selected === null}>
        {v.l.topLevel}
      </option>
      {v.flat
        .filter((f) => f.node.slug !== self)
        .map((f) => {
          const inside = self !== undefined && f.ancestors.includes(self);
          return (
            <option value={f.node.slug} selected={props.selected === f.node.slug} disabled={inside}>
              {'\u3000'.repeat(f.depth) + f.node.name + (inside ? v.l.belowThis : '')}
            </option>
          );
        })}
    </>
  );
}

function ChannelItem(props: {
  v: ChannelsView;
  node: AdminChannelNode;
  first: boolean;
  last: boolean;
}) {
  const { v, node } = props;
  const l = v.l;
  const s = node.slug;
  const mine = v.error?.about === s ? v.error : undefined;
  // The button pressed keeps the focus; at the end of the list it is disabled, so the other one.
  const buttons = [
    { dir: 'up', mark: '↑', label: l.moveUp, named: l.moveUpNamed, off: props.first },
    { dir: 'down', mark: '↓', label: l.moveDown, named: l.moveDownNamed, off: props.last },
  ];
  const pressed = buttons.find((b) => v.focus === `${s}:${b.dir}`);
  const focused = pressed?.off ? buttons.find((b) => b !== pressed) : pressed;
  return (
    <li id={`channel-${s}`} data-channel={s}>
      <div class="channel-row">
        <span class="channel-name">{node.name}</span>
        <code class="channel-slug">{s}</code>
        <span class="channel-count">{fill(l.articleCount, { n: node.articles })}</span>
        <form method="post" action={`/admin/channels/${s}/order`} class="inline-form reorder">
          <Csrf token={v.csrf} />
          {buttons.map((b) => (
            <button
              type="submit"
              name="direction"
              value={b.dir}
              disabled={b.off}
              aria-label={fill(b.named, { name: node.name })}
              autofocus={b === focused}
            >
              {b.mark} {b.label}
            </button>
          ))}
        </form>
      </div>
      <details class="channel-edit" open={mine !== undefined}>
        <summary aria-label={fill(l.editNamed, { name: node.name })}>{l.edit}</summary>
        <InlineError error={mine} />
        <form method="post" action={`/admin/channels/${s}`} class="channel-form">
          <Csrf token={v.csrf} />
          <label for={`name-${s}`}>{l.name}</label>
          <input id={`name-${s}`} name="name" value={node.name} required maxlength={100} />
          <label for={`description-${s}`}>{l.description}</label>
          <input
            id={`description-${s}`}
            name="description"
            value={node.description}
            maxlength={1000}
          />
          <p class="hint">{fill(l.slugFixed, { slug: s })}</p>
          <button type="submit" class="primary">
            {l.rename}
          </button>
        </form>
        <form method="post" action={`/admin/channels/${s}/move`} class="channel-form">
          <Csrf token={v.csrf} />
          <label for={`parent-${s}`}>{l.parent}</label>
          <select id={`parent-${s}`} name="parent">
            <ParentOptions v={v} self={s} selected={node.parentSlug} />
          </select>
          <button type="submit">{l.move}</button>
        </form>
        <ActionButton
          action={`/admin/channels/${s}/delete`}
          csrf={v.csrf}
          label={l.delete}
          confirm={fill(l.confirmDeleteChannel, { name: node.name })}
          danger
          formClass="channel-form"
        />
      </details>
      {node.children.length ? <ChannelList v={v} nodes={node.children} /> : null}
    </li>
  );
}

function ChannelList(props: { v: ChannelsView; nodes: AdminChannelNode[] }) {
  return (
    <ol class="channel-tree">
      {props.nodes.map((node, i) => (
        <ChannelItem v={props.v} node={node} first={i === 0} last={i === props.nodes.length - 1} />
      ))}
    </ol>
  );
}

function NewChannelForm(props: { v: ChannelsView }) {
  const { v } = props;
  const l = v.l;
  // After a refused create, the form keeps what was typed.
  const typed = v.error?.about === '+new' ? v.fields : {};
  return (
    <form method="post" action="/admin/channels" class="card channel-new">
      <h2>{l.newChannel}</h2>
      <Csrf token={v.csrf} />
      <label for="new-name">{l.name}</label>
      <input id="new-name" name="name" required maxlength={100} value={typed.name} />
      <label for="new-slug">{l.slug}</label>
      <input
        id="new-slug"
        name="slug"
        required
        maxlength={100}
        pattern="[a-z0-9]+(-[a-z0-9]+)*"
        aria-describedby="new-slug-hint"
        value={typed.slug}
      />
      <p id="new-slug-hint" class="hint">
        {l.slugHint}
      </p>
      <label for="new-parent">{l.parent}</label>
      <select id="new-parent" name="parent">
        <ParentOptions v={v} selected={typed.parent || null} />
      </select>
      <label for="new-description">{l.description}</label>
      <input id="new-description" name="description" maxlength={1000} value={typed.description} />
      <button type="submit" class="primary">
        {l.create}
      </button>
    </form>
  );
}

/** The siblings of `slug` (with it), in their order, and the parent they share. */
function siblingsOf(tree: AdminChannelNode[], slug: string) {
  const find = (
    nodes: AdminChannelNode[],
    parent: string | null,
  ): { parent: string | null; order: string[] } | null => {
    if (nodes.some((n) => n.slug === slug)) return { parent, order: nodes.map((n) => n.slug) };
    for (const n of nodes) {
      const found = find(n.children, n.slug);
      if (found) return found;
    }
    return null;
  };
  return find(tree, null);
}

export function registerChannelPages(app: Hono<AdminPageEnv>, frame: AdminFrame) {
  const { action } = structurePage(app, frame, 'channels', async ({ c, f, l, error, fields }) => {
    const tree = await listAdminChannelTree(primaryDb(c));
    const v: ChannelsView = {
      tree,
      flat: flattenTree(tree),
      l,
      csrf: f.csrf,
      error,
      fields,
      focus: error ? undefined : c.req.query('focus'),
    };
    return (
      <>
        <section class="card structure" aria-labelledby="tree-title">
          <h2 id="tree-title">{l.tree}</h2>
          {tree.length ? <ChannelList v={v} nodes={tree} /> : <p>{l.noChannels}</p>}
        </section>
        <NewChannelForm v={v} />
      </>
    );
  });

  app.post(
    '/admin/channels',
    action('slugTaken', async (c, fields) => {
      const body = parseForm(
        channelCreateBody(),
        {
          slug: fields.slug?.trim(),
          name: fields.name,
          parent: fields.parent ? fields.parent : null,
          description: fields.description ?? '',
        },
        'unprocessable',
      );
      const row = await createChannelCommand(primaryDb(c), body, auditContext(c));
      await afterTaxonomyWrite(effectContext(c), { channels: [row.slug] });
      return back('created', { slug: row.slug });
    }),
  );

  /** Rename and move: one patch, then the pages of the old and new parent and the breadcrumbs. */
  const patchForm = (
    conflict: 'slugTaken' | 'cycle',
    done: StructureDone,
    toBody: (fields: Record<string, string>) => unknown,
  ) =>
    action(conflict, async (c, fields) => {
      const slug = slugOf(c);
      const body = parseForm(channelPatchBody(), toBody(fields), 'unprocessable');
      const db = primaryDb(c);
      const before = await findChannelRow(db, slug);
      const row = await patchChannel(db, slug, body, auditContext(c));
      if (!row) missing(slug);
      await afterChannelWrite(effectContext(c), db, {
        channels: [slug, before?.parentSlug, row.parentSlug],
        breadcrumbsOf: slug,
      });
      return back(done, { slug });
    });

  app.post(
    '/admin/channels/:slug',
    patchForm('slugTaken', 'saved', (fields) => ({
      name: fields.name,
      description: fields.description ?? '',
    })),
  );

  app.post(
    '/admin/channels/:slug/move',
    patchForm('cycle', 'moved', (fields) => ({ parent: fields.parent ? fields.parent : null })),
  );

  app.post(
    '/admin/channels/:slug/order',
    action('orderChanged', async (c, fields) => {
      const slug = slugOf(c);
      const direction = fields.direction === 'down' ? 1 : fields.direction === 'up' ? -1 : 0;
      if (!direction) {
        throw new AppError('unprocessable', {
          detail: 'direction must be up or down',
          invalidParams: [{ name: 'direction', in: 'body', reason: 'must be up or down' }],
        });
      }
      const db = primaryDb(c);
      const siblings = siblingsOf(await listAdminChannelTree(db), slug);
      if (!siblings) missing(slug);
      const order = [...siblings.order];
      const at = order.indexOf(slug);
      const to = at + direction;
      // Already first (or last): nothing to do, and nothing to say but where it is.
      if (to >= 0 && to < order.length) {
        [order[at], order[to]] = [order[to]!, order[at]!];
        if (!(await reorderChannels(db, siblings.parent, order, auditContext(c)))) missing(slug);
        await afterTaxonomyWrite(effectContext(c), {
          channels: siblings.parent ? [siblings.parent] : [],
        });
      }
      return back('reordered', { slug, focus: `${slug}:${direction < 0 ? 'up' : 'down'}` });
    }),
  );

  app.post(
    '/admin/channels/:slug/delete',
    action('notEmpty', async (c) => {
      const slug = slugOf(c);
      if (!(await deleteChannel(primaryDb(c), slug, auditContext(c)))) missing(slug);
      await afterTaxonomyWrite(effectContext(c), { channels: [slug] });
      return back('deleted');
    }),
  );
}
