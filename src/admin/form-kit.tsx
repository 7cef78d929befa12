import type { Context, Hono, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import type { z } from 'zod';
import { checkCsrf } from '../auth/middleware';
import { sessionCookie } from '../auth/user-sessions';
import { rethrowWriteError } from '../authoring/article-routes';
import { slugParams } from '../authoring/schemas';
import type { AppEnv, Principal } from '../env';
import { AppError, clientProblem, validationError, type ProblemCode } from '../lib/errors';
import { structureDone, type AdminLabels, type StructureLabels } from './labels';
import { AdminLayout, type AdminLayoutProps } from './layout';

/**
 * What every admin page with forms shares: the page's frame, the admin-only gate, reading a
 * posted form (CSRF first), the API's validation applied to it, the status line after a
 * redirect and the refusal shown on the page. The pages differ in how a refusal reads (a
 * problem's title by its code, or the person's words for what they tried), which they pass in.
 */

type UserPrincipal = Extract<Principal, { kind: 'user' }>;
export type AdminPageEnv = AppEnv & { Variables: { user?: UserPrincipal; csrf?: string } };
export type AdminPageContext = Context<AdminPageEnv>;
export type AdminFrameProps = Omit<AdminLayoutProps, 'title' | 'children' | 'section'>;
export type AdminFrame = (c: AdminPageContext) => AdminFrameProps;
export type AdminSection = AdminLayoutProps['section'];

/** Fills `{name}`-style holes of a label. */
export function fill(label: string, values: Record<string, string | number>): string {
  return label.replace(/\{(\w+)\}/g, (hole, key: string) =>
    key in values ? String(values[key]) : hole,
  );
}

export const isAdmin = (c: AdminPageContext) => c.var.user?.role === 'admin';

/** A page in the admin's frame: its title, then the body. */
export function framedPage(
  c: AdminPageContext,
  f: AdminFrameProps,
  title: string,
  section: AdminSection,
  body: Child,
  status = 200,
) {
  return c.html(
    <AdminLayout {...f} title={title} section={section}>
      {body}
    </AdminLayout>,
    status as 200,
  );
}

/** A channel tree in page order, each node with its depth and the slugs above it. */
export function flattenTree<T extends { slug: string; children: T[] }>(tree: T[]) {
  const out: { node: T; depth: number; ancestors: string[] }[] = [];
  const walk = (nodes: T[], ancestors: string[]) => {
    for (const node of nodes) {
      out.push({ node, depth: ancestors.length, ancestors });
      walk(node.children, [...ancestors, node.slug]);
    }
  };
  walk(tree, []);
  return out;
}

/** The words of a page that says no: its title, the reason, and optionally a way back. */
export interface Refusal {
  title: string;
  message: string;
  back?: { href: string; label: string };
}

/** A page that only says why the request went no further (403 for a non-admin, 404...). */
export function refusalPage(
  c: AdminPageContext,
  frame: AdminFrame,
  words: (labels: AdminLabels) => Refusal,
  status: 400 | 403 | 404 | 409 | 422 = 403,
  section?: AdminSection,
) {
  const f = frame(c);
  const r = words(f.labels);
  return framedPage(
    c,
    f,
    r.title,
    section,
    <>
      <Alert title={r.message} />
      {r.back ? (
        <p>
          <a href={r.back.href}>{r.back.label}</a>
        </p>
      ) : null}
    </>,
    status,
  );
}

/** Admin-only paths answer anyone else with the refusal page (403), not a problem document. */
export function adminsOnly(
  frame: AdminFrame,
  words: (labels: AdminLabels) => Refusal,
): MiddlewareHandler<AdminPageEnv> {
  return async (c, next) => {
    if (isAdmin(c)) return next();
    return refusalPage(c, frame, words);
  };
}

/** Forms one may post before the forced first password change. */
const beforePasswordChange = new Set(['/admin/account/password', '/admin/sign-out']);

/**
 * The fields of a posted admin form, once its CSRF token checked out (a missing or wrong
 * token is the csrf_failed problem, before anything is read or written); someone who must
 * first change their password may post only that form. `all` keeps repeated fields
 * (checkboxes) as lists, as Hono's parseBody does.
 */
export async function postedForm(c: AdminPageContext): Promise<Record<string, string>>;
export async function postedForm(
  c: AdminPageContext,
  options: { all: true },
): Promise<Record<string, string | string[]>>;
export async function postedForm(c: AdminPageContext, options?: { all: true }) {
  const body = (await c.req.parseBody(options)) as Record<string, unknown>;
  await checkCsrf(
    c,
    getCookie(c, sessionCookie) ?? '',
    typeof body.csrf === 'string' ? body.csrf : '',
  );
  if (c.var.user?.mustChangePassword && !beforePasswordChange.has(c.req.path)) {
    throw new AppError('password_change_required', { detail: 'Choose a new password first' });
  }
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'csrf') continue;
    if (typeof value === 'string') fields[key] = value;
    else if (Array.isArray(value)) fields[key] = value.filter((v) => typeof v === 'string');
  }
  return fields;
}

/**
 * A form validated with the API's own body schema, failing as the API's body would
 * (`invalid_body`, 400), or as a form the person must correct (`unprocessable`, 422) where
 * the page treats a bad value like any other refusal of what was typed.
 */
export function parseForm<T extends z.ZodType>(
  schema: T,
  input: unknown,
  code: 'invalid_body' | 'unprocessable' = 'invalid_body',
): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problem = validationError(result.error, 'body', input);
  if (code === 'invalid_body') throw problem;
  const names = [...new Set(problem.invalidParams?.map((p) => p.name))].join(', ');
  throw new AppError('unprocessable', {
    detail: `The form is invalid at: ${names}`,
    invalidParams: problem.invalidParams,
  });
}

/** The numeric `:id` in the path, refused as the API refuses a bad one. */
export function idParam(c: AdminPageContext): number {
  const raw = c.req.param('id') ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) throw AppError.invalidParameter('id', 'path', 'not an id');
  return Number(raw);
}

/** The status line a redirect after a successful form asks for (`?done=`), if it is one of ours. */
export function doneOf<T extends string>(c: AdminPageContext, known: readonly T[]): T | undefined {
  const done = c.req.query('done');
  return known.find((d) => d === done);
}

/** A refusal or a warning, announced to screen readers; `code` names the problem for scripts. */
export function Alert(props: {
  title: string;
  /** The API's own problem detail (English), beside the person's words. */
  detail?: string;
  items?: string[];
  code?: ProblemCode;
}) {
  return (
    <div class="alert" role="alert" data-role="page-error" data-problem={props.code}>
      <p>
        <strong>{props.title}</strong>
      </p>
      {props.detail ? (
        <p class="hint" lang="en">
          {props.detail}
        </p>
      ) : null}
      {props.items?.length ? (
        <ul>
          {props.items.map((item) => (
            <li>{item}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The top of a page after a form: the refusal if there is one, else the success line. */
export function Notice(props: { status?: string | null; alert?: Parameters<typeof Alert>[0] }) {
  if (props.alert) return <Alert {...props.alert} />;
  return props.status ? (
    <p class="notice" role="status">
      {props.status}
    </p>
  ) : null;
}

/** The hidden CSRF field every admin form carries. */
export function Csrf(props: { token?: string }) {
  return <input type="hidden" name="csrf" value={props.token} />;
}

/** A one-button POST form (disable, revoke, delete...); `confirm` is asked first by admin.js. */
export function ActionButton(props: {
  action: string;
  csrf?: string;
  label: string;
  fields?: Record<string, string>;
  describedBy?: string;
  confirm?: string;
  danger?: boolean;
  formClass?: string;
}) {
  return (
    <form
      method="post"
      action={props.action}
      class={props.formClass ?? 'inline-form'}
      data-confirm={props.confirm}
    >
      <Csrf token={props.csrf} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button
        type="submit"
        class={props.danger ? 'danger' : undefined}
        aria-describedby={props.describedBy}
      >
        {props.label}
      </button>
    </form>
  );
}

/** A password input with its label: the one in use, or (`fresh`) one being chosen. */
export function PasswordField(props: {
  id: string;
  name: string;
  label: string;
  fresh?: boolean;
  describedBy?: string;
}) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.name}
        type="password"
        autocomplete={props.fresh ? 'new-password' : 'current-password'}
        minlength={props.fresh ? 10 : undefined}
        maxlength={200}
        aria-describedby={props.describedBy}
        required
      />
    </>
  );
}

/** A six-digit code from an authenticator app, with its label. */
export function CodeField(props: {
  id: string;
  label: string;
  name?: string;
  autofocus?: boolean;
  /** False where the server asks for it only when the account has a second factor. */
  required?: boolean;
  describedBy?: string;
}) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.name ?? 'code'}
        inputmode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9]{6}"
        maxlength={6}
        aria-describedby={props.describedBy}
        required={props.required ?? true}
        autofocus={props.autofocus}
      />
    </>
  );
}

export interface FormActionOptions<R> {
  frame: AdminFrame;
  /** The person's mistake as the page shows it; null when it is ours, for the app's onError. */
  refusal: (c: AdminPageContext, err: unknown) => R | null;
  /** The page again, with the refusal inline and at its status. */
  render: (c: AdminPageContext, refusal: R, fields: Record<string, string>) => Promise<Response>;
  /** Admins only: anyone else gets this refusal page (403), after the CSRF check. */
  adminsOnly?: (labels: AdminLabels) => Refusal;
  /**
   * A failed CSRF check shown on the page as well; otherwise it is the app's problem document
   * (the check comes before anything of the page is read).
   */
  csrfOnPage?: boolean;
}

/**
 * A POST handler for one form: CSRF, then the admin gate, then `run`, which calls the command
 * and answers, or returns where to go (303, so a reload does not post again). A refusal
 * re-renders the page with it inline at its status; anything else goes on to onError.
 */
export function formAction<R>(
  options: FormActionOptions<R>,
  run: (c: AdminPageContext, fields: Record<string, string>) => Promise<Response | string>,
) {
  const refused = async (c: AdminPageContext, err: unknown, fields: Record<string, string>) => {
    const refusal = options.refusal(c, err);
    if (refusal === null) throw err;
    return options.render(c, refusal, fields);
  };
  return async (c: AdminPageContext) => {
    let fields: Record<string, string>;
    try {
      fields = await postedForm(c);
    } catch (err) {
      if (!options.csrfOnPage) throw err;
      return refused(c, err, {});
    }
    if (options.adminsOnly && !isAdmin(c)) return refusalPage(c, options.frame, options.adminsOnly);
    try {
      const answer = await run(c, fields);
      return typeof answer === 'string' ? c.redirect(answer, 303) : answer;
    } catch (err) {
      return refused(c, err, fields);
    }
  };
}

/** Any AppError as the refusal: the problem's own title (by code) and detail are shown. */
export const anyProblem = (_c: AdminPageContext, err: unknown) => clientProblem(err);

// --- The channels and tags pages' refusals --------------------------------------------------

/** Channels and tags are the admins' alone. */
export const structureAdminsOnly = (l: AdminLabels): Refusal => ({
  title: l.structure.forbiddenTitle,
  message: l.structure.adminsOnly,
});

/** The channel's or tag's slug in the path, checked as the API checks it. */
export function slugOf(c: AdminPageContext): string {
  return parseForm(slugParams(), { slug: c.req.param('slug') }, 'unprocessable').slug;
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
 * A command's failure as a PageError, in the words for what the form tried (`conflict` for a
 * 409). The commands' own errors become the API's problems (rethrowWriteError), so the page
 * says what the API would; anything else is not the person's mistake (null).
 */
export function pageError(
  err: unknown,
  l: StructureLabels,
  conflict: ConflictKind,
  about?: string,
): PageError | null {
  let problem: unknown = err;
  try {
    rethrowWriteError(err);
  } catch (converted) {
    problem = converted;
  }
  if (!(problem instanceof AppError)) return null;
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
      return null;
  }
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

/** What a channels or tags page's body is drawn from: the frame, and the refused form if any. */
export interface StructureView {
  c: AdminPageContext;
  f: AdminFrameProps;
  l: StructureLabels;
  error?: PageError;
  fields: Record<string, string>;
}

/**
 * A channels or tags page at `/admin/{section}` (admins only; others get the refusal page),
 * with the refusal or the done line on top. `action` makes one of its forms: admins only, its
 * refusal worded for what it tried (`conflict`), the page re-rendered with it inline.
 */
export function structurePage(
  app: Hono<AdminPageEnv>,
  frame: AdminFrame,
  section: 'channels' | 'tags',
  body: (v: StructureView) => Promise<Child>,
) {
  const render = async (
    c: AdminPageContext,
    error?: PageError,
    fields: Record<string, string> = {},
  ) => {
    const f = frame(c);
    const l = f.labels.structure;
    const done = error ? undefined : doneOf(c, structureDone);
    return framedPage(
      c,
      f,
      l[section],
      section,
      <>
        <Notice
          alert={error && { title: error.message, detail: error.detail }}
          status={done && l.done[done]}
        />
        {await body({ c, f, l, error, fields })}
      </>,
      error?.status ?? 200,
    );
  };
  app.get(`/admin/${section}`, (c) =>
    isAdmin(c) ? render(c) : refusalPage(c, frame, structureAdminsOnly),
  );
  const action = (
    conflict: ConflictKind,
    run: (c: AdminPageContext, fields: Record<string, string>) => Promise<string>,
  ) =>
    formAction(
      {
        frame,
        render,
        adminsOnly: structureAdminsOnly,
        refusal: (c, err) =>
          pageError(err, frame(c).labels.structure, conflict, c.req.param('slug') ?? '+new'),
      },
      run,
    );
  return { action };
}
