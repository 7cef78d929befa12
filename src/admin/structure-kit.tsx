import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { z } from 'zod';
import { checkCsrf } from '../auth/middleware';
import { sessionCookie } from '../auth/user-sessions';
import { rethrowWriteError } from '../authoring/article-routes';
import { slugParams } from '../authoring/schemas';
import type { AppEnv, Principal } from '../env';
import { AppError, invalidParamsFromZod } from '../lib/errors';
import { structureDone, type StructureDone, type StructureLabels } from './labels';
import { AdminLayout, type AdminLayoutProps } from './layout';

/**
 * What the channels and tags pages share: the admin-only gate, reading a posted form (CSRF
 * first), turning a command's error into words on the page, and the status line after a
 * redirect.
 */

type UserPrincipal = Extract<Principal, { kind: 'user' }>;
export type AdminPageEnv = AppEnv & { Variables: { user?: UserPrincipal; csrf?: string } };
export type AdminPageContext = Context<AdminPageEnv>;
export type AdminFrame = (
  c: AdminPageContext,
) => Omit<AdminLayoutProps, 'title' | 'children' | 'section'>;

/** Fills `{name}`-style holes of a label. */
export function fill(label: string, values: Record<string, string | number>): string {
  return label.replace(/\{(\w+)\}/g, (hole, key: string) =>
    key in values ? String(values[key]) : hole,
  );
}

export const isAdmin = (c: AdminPageContext) => c.var.user?.role === 'admin';

/** The page an editor (or any non-admin) gets instead: 403, in the admin's own frame. */
export function forbiddenPage(c: AdminPageContext, frame: AdminFrame) {
  const f = frame(c);
  const l = f.labels.structure;
  return c.html(
    <AdminLayout {...f} title={l.forbiddenTitle}>
      <p class="alert" role="alert">
        {l.adminsOnly}
      </p>
    </AdminLayout>,
    403,
  );
}

/**
 * The fields of a posted admin form, as strings, once its CSRF token checked out (a missing
 * or wrong token is the csrf_failed problem, before anything is read or written).
 */
export async function postedForm(c: AdminPageContext): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  await checkCsrf(
    c,
    getCookie(c, sessionCookie) ?? '',
    typeof body.csrf === 'string' ? body.csrf : '',
  );
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string' && key !== 'csrf') fields[key] = value;
  }
  return fields;
}

/** A form validated with the API's own body schema, failing as the API's body would (422). */
export function parseFields<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const invalidParams = invalidParamsFromZod(result.error, 'body', input);
  throw new AppError('unprocessable', {
    detail: `The form is invalid at: ${[...new Set(invalidParams.map((p) => p.name))].join(', ')}`,
    invalidParams,
  });
}

/** The channel's or tag's slug in the path, checked as the API checks it. */
export function slugOf(c: AdminPageContext): string {
  return parseFields(slugParams(), { slug: c.req.param('slug') }).slug;
}

/** What went wrong, for the page: the person's words, and the API's problem detail beside it. */
export interface PageError {
  status: 400 | 404 | 409 | 422;
  message: string;
  detail?: string;
  /** The channel or tag the failed form was about, to show the message next to it too. */
  about?: string;
}

export type ConflictKind =
  'cycle' | 'notEmpty' | 'slugTaken' | 'orderChanged' | 'mergeSelf' | 'failed';

/**
 * A command's failure as a PageError. The commands' own errors become the API's problems
 * (rethrowWriteError), so the page says what the API would; anything else is not the
 * person's mistake and goes on to the app's error handler.
 */
export function pageError(
  err: unknown,
  l: StructureLabels,
  conflict: ConflictKind,
  about?: string,
): PageError {
  let problem: unknown = err;
  try {
    rethrowWriteError(err);
  } catch (converted) {
    problem = converted;
  }
  if (!(problem instanceof AppError)) throw err;
  const detail = problem.detail;
  switch (problem.status) {
    case 409:
      return { status: 409, message: l[conflict], detail, about };
    case 404:
      return { status: 404, message: l.notFound, detail, about };
    case 400:
    case 422: {
      const names = (problem.invalidParams ?? []).map((p) => `${p.name}: ${p.reason}`).join('; ');
      return { status: problem.status, message: l.invalid, detail: names || detail, about };
    }
    default:
      throw err;
  }
}

/** The status line a redirect after a successful form asks for (`?done=`), if it is one of ours. */
export function doneOf(c: AdminPageContext): StructureDone | undefined {
  const done = c.req.query('done');
  return structureDone.find((d) => d === done);
}

/** The success line or the error, at the top of the page, announced to screen readers. */
export function Notice(props: {
  labels: StructureLabels;
  done?: StructureDone;
  error?: PageError;
}) {
  if (props.error) {
    return (
      <div class="alert" role="alert" data-role="page-error">
        <p>
          <strong>{props.error.message}</strong>
        </p>
        {props.error.detail ? <p class="hint">{props.error.detail}</p> : null}
      </div>
    );
  }
  if (props.done) {
    return (
      <p class="notice" role="status">
        {props.labels.done[props.done]}
      </p>
    );
  }
  return null;
}

/** The error again beside the form it is about (announced once, by the page's own alert). */
export function InlineError(props: { error?: PageError }) {
  const e = props.error;
  if (!e) return null;
  return (
    <p class="alert">
      {e.message} {e.detail ? <span class="hint">{e.detail}</span> : null}
    </p>
  );
}

/** The hidden CSRF field every form of these pages carries. */
export function Csrf(props: { token?: string }) {
  return <input type="hidden" name="csrf" value={props.token} />;
}

export type RenderWithError = (
  c: AdminPageContext,
  error: PageError,
  fields: Record<string, string>,
) => Promise<Response>;

/**
 * A POST handler for one form of these pages: CSRF, then the admin gate, then `run`, which
 * calls the command and returns where to go (303, so a reload does not post again). A
 * command's refusal re-renders the page with the error inline and the right status.
 */
export function formAction(
  frame: AdminFrame,
  render: RenderWithError,
  conflict: ConflictKind,
  run: (c: AdminPageContext, fields: Record<string, string>) => Promise<string>,
) {
  return async (c: AdminPageContext) => {
    const fields = await postedForm(c);
    if (!isAdmin(c)) return forbiddenPage(c, frame);
    try {
      return c.redirect(await run(c, fields), 303);
    } catch (err) {
      const about = c.req.param('slug') ?? '+new';
      return render(c, pageError(err, frame(c).labels.structure, conflict, about), fields);
    }
  };
}
