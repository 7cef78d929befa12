import type { Hono } from 'hono';
import { primaryDb } from '../auth/session';
import { auditContext } from '../authoring/audit';
import { effectContext } from '../authoring/effects';
import { afterTagWrite } from '../authoring/taxonomy-effects';
import { tagMergeBody, tagPatchBody } from '../authoring/schemas';
import { deleteTag, mergeTags, renameTag } from '../authoring/taxonomy';
import { listAdminTags, type AdminTag } from '../authoring/taxonomy-queries';
import { AppError } from '../lib/errors';
import type { StructureDone, StructureLabels } from './labels';
import {
  ActionButton,
  Csrf,
  fill,
  InlineError,
  parseForm,
  slugOf,
  structurePage,
  type AdminFrame,
  type AdminPageEnv,
  type PageError,
} from './form-kit';

/** /admin/tags: every tag with its article count, searchable; rename, merge, delete. */

/** Enough for a portal's whole vocabulary on one page; beyond it, the search narrows. */
const pageSize = 300;

function missing(what: string): never {
  throw new AppError('not_found', { detail: `No tag ${what}` });
}

function back(done: StructureDone, query: string | undefined): string {
  const params = new URLSearchParams({ done, ...(query ? { q: query } : {}) });
  return `/admin/tags?${params.toString()}`;
}

function TagRow(props: { t: AdminTag; l: StructureLabels; csrf?: string; error?: PageError }) {
  const { t, l } = props;
  const mine = props.error?.about === t.slug ? props.error : undefined;
  return (
    <tr id={`tag-${t.slug}`} data-tag={t.slug}>
      <th scope="row">
        <span class="tag-name">{t.name}</span> <code>{t.slug}</code>
        <InlineError error={mine} />
      </th>
      <td class="num">{t.articles}</td>
      <td class="tag-actions">
        <form method="post" action={`/admin/tags/${t.slug}`} class="inline-form">
          <Csrf token={props.csrf} />
          <label class="visually-hidden" for={`rename-${t.slug}`}>
            {l.rename} {t.name}
          </label>
          <input
            id={`rename-${t.slug}`}
            name="name"
            value={t.name}
            required
            maxlength={50}
            title={fill(l.tagSlugFixed, { slug: t.slug })}
          />
          <button type="submit">{l.rename}</button>
        </form>
        <form
          method="post"
          action={`/admin/tags/${t.slug}/merge`}
          class="inline-form"
          data-confirm={fill(l.confirmMerge, { name: t.name })}
        >
          <Csrf token={props.csrf} />
          <label for={`into-${t.slug}`}>{l.mergeInto}</label>
          <input
            id={`into-${t.slug}`}
            name="into"
            list="tag-slugs"
            required
            maxlength={100}
            placeholder={l.mergeHint}
          />
          <button type="submit">{l.merge}</button>
        </form>
        <ActionButton
          action={`/admin/tags/${t.slug}/delete`}
          csrf={props.csrf}
          label={l.delete}
          confirm={fill(l.confirmDeleteTag, { name: t.name })}
          danger
        />
      </td>
    </tr>
  );
}

export function registerTagPages(app: Hono<AdminPageEnv>, frame: AdminFrame) {
  const { action } = structurePage(app, frame, 'tags', async ({ c, f, l, error, fields }) => {
    const query = (fields.q ?? c.req.query('q'))?.trim().slice(0, 50) || undefined;
    const list = await listAdminTags(primaryDb(c), { query, limit: pageSize + 1 });
    const shown = list.slice(0, pageSize);
    return (
      <>
        <form method="get" action="/admin/tags" class="filters" role="search">
          <label>
            {l.searchTags}
            <input type="search" name="q" value={query ?? ''} maxlength={50} />
          </label>
          <button type="submit">{l.search}</button>
        </form>
        {shown.length ? (
          <table class="tag-list">
            <thead>
              <tr>
                <th scope="col">{l.tagName}</th>
                <th scope="col" class="num">
                  {l.articles}
                </th>
                <th scope="col">{l.actions}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((t) => (
                <TagRow t={t} l={l} csrf={f.csrf} error={error} />
              ))}
            </tbody>
          </table>
        ) : (
          <p>{l.noTags}</p>
        )}
        {list.length > pageSize ? <p class="hint">{fill(l.shownFirst, { n: pageSize })}</p> : null}
        <datalist id="tag-slugs">
          {shown.map((t) => (
            <option value={t.slug}>{t.name}</option>
          ))}
        </datalist>
      </>
    );
  });

  app.post(
    '/admin/tags/:slug',
    action('failed', async (c, fields) => {
      const slug = slugOf(c);
      const { name } = parseForm(tagPatchBody(), { name: fields.name }, 'unprocessable');
      const db = primaryDb(c);
      if (!(await renameTag(db, slug, name, auditContext(c)))) missing(`'${slug}'`);
      await afterTagWrite(effectContext(c), db, { tag: slug });
      return back('tagRenamed', fields.q);
    }),
  );

  app.post(
    '/admin/tags/:slug/merge',
    action('mergeSelf', async (c, fields) => {
      const slug = slugOf(c);
      const { into } = parseForm(tagMergeBody(), { into: fields.into?.trim() }, 'unprocessable');
      const db = primaryDb(c);
      if (!(await mergeTags(db, slug, into, auditContext(c)))) missing(`'${slug}' or '${into}'`);
      await afterTagWrite(effectContext(c), db, { tag: into });
      return back('tagMerged', fields.q);
    }),
  );

  app.post(
    '/admin/tags/:slug/delete',
    action('failed', async (c, fields) => {
      const slug = slugOf(c);
      const gone = await deleteTag(primaryDb(c), slug, auditContext(c));
      if (!gone) missing(`'${slug}'`);
      await afterTagWrite(effectContext(c), primaryDb(c), { ids: gone.articleIds });
      return back('tagDeleted', fields.q);
    }),
  );
}
