import type { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { deleteCookie } from 'hono/cookie';
import * as accounts from '../auth/account-commands';
import { primaryDb } from '../auth/session';
import { listTokensQuery } from '../auth/tokens';
import { listLiveSessionsQuery, sessionCookie } from '../auth/user-sessions';
import { findUserById, listUsers, newTotpSecret, totpUri } from '../auth/users';
import { tokenRoles, type TokenRole } from '../db/schema';
import { nowDate } from '../lib/clock';
import { AppError } from '../lib/errors';
import { zonedDateTime } from '../lib/time';
import {
  ActionButton,
  adminsOnly,
  anyProblem,
  CodeField,
  Csrf,
  doneOf,
  formAction,
  framedPage,
  idParam,
  Notice,
  parseForm,
  PasswordField,
  type AdminFrame,
  type AdminFrameProps,
  type AdminPageContext,
  type AdminPageEnv,
  type AdminSection,
} from './form-kit';
import { peopleDone, type AdminLabels, type PeopleDone } from './labels';

/**
 * The people and access pages: accounts, API tokens, sessions and one's own account (password,
 * second factor). Plain server-rendered POST forms with the session's CSRF token in a field, so
 * they work without the admin script; success redirects back with a status message (303, so a
 * reload does not post again), a refusal re-renders the page with the problem inline. Every
 * write goes through src/auth/account-commands.ts, the same functions the admin API calls.
 */

type PagesContext = AdminPageContext;
type Frame = AdminFrameProps;

/** What a page shows besides its data: the outcome of the last form, or its refusal. */
interface Outcome {
  done?: PeopleDone;
  problem?: AppError;
}

const tokenExpiryDays = [30, 90, 365] as const;

/** The row buttons of /admin/users: the account changes each asks for and what it then says. */
const userActions = {
  role: { changes: (f: Form) => ({ role: f.role }), done: 'role' },
  disable: { changes: () => ({ disabled: true }), done: 'disabled' },
  enable: { changes: () => ({ disabled: false }), done: 'enabled' },
  reset: { changes: (f: Form) => ({ password: f.password }), done: 'reset' },
  'remove-totp': { changes: () => ({ removeTotp: true }), done: 'totp-removed' },
} satisfies Record<string, { changes: (f: Form) => Record<string, unknown>; done: PeopleDone }>;

type Form = Record<string, string>;

/** The outcome at the top of the page: a refusal titled by its problem's code, or the done line. */
function OutcomeNotice(props: { labels: AdminLabels; outcome: Outcome }) {
  const p = props.labels.people;
  const { done, problem } = props.outcome;
  return (
    <Notice
      status={done && p.done[done]}
      alert={
        problem && {
          title: p.problems[problem.code] ?? p.problem,
          detail: problem.detail,
          code: problem.code,
        }
      }
    />
  );
}

function TableHead(props: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {props.cols.map((col) => (
          <th scope="col">{col}</th>
        ))}
      </tr>
    </thead>
  );
}

function When(props: { at: Date | null; timeZone: string; never: string }) {
  return props.at ? (
    <time datetime={props.at.toISOString()}>{zonedDateTime(props.at, props.timeZone)}</time>
  ) : (
    <span class="muted">{props.never}</span>
  );
}

/** The create form under a list (people, tokens). */
function CreateForm(props: { action: string; title: string; frame: Frame; children: Child }) {
  return (
    <form method="post" action={props.action} class="card create-form">
      <h2>{props.title}</h2>
      <Csrf token={props.frame.csrf} />
      {props.children}
      <button type="submit" class="primary">
        {props.frame.labels.people.create}
      </button>
    </form>
  );
}

function RoleSelect(props: { labels: AdminLabels; name: string; id?: string; value?: TokenRole }) {
  return (
    <select name={props.name} id={props.id} required>
      {tokenRoles.map((r) => (
        <option value={r} selected={props.value === r}>
          {props.labels.people.roles[r]}
        </option>
      ))}
    </select>
  );
}

function PasswordForm(props: { frame: Frame; mustChange: boolean }) {
  const l = props.frame.labels;
  return (
    <form method="post" action="/admin/account/password" class="card" data-form="change-password">
      <h2>{l.changePassword}</h2>
      {props.mustChange ? (
        <p class="alert" role="status">
          {l.mustChangePassword}
        </p>
      ) : null}
      <Csrf token={props.frame.csrf} />
      <PasswordField id="current-password" name="currentPassword" label={l.currentPassword} />
      <PasswordField id="new-password" name="newPassword" label={l.newPassword} fresh />
      <PasswordField id="repeat-password" name="repeatPassword" label={l.repeatPassword} fresh />
      <button type="submit" class="primary">
        {l.save}
      </button>
    </form>
  );
}

function TotpPanel(props: {
  frame: Frame;
  enabled: boolean;
  setup?: { secret: string; uri: string };
}) {
  const l = props.frame.labels;
  const p = l.people;
  if (props.enabled) {
    return (
      <section class="card" aria-labelledby="totp-title">
        <h2 id="totp-title">{p.totpTitle}</h2>
        <p>{p.totpIsOn}</p>
        <form method="post" action="/admin/account/totp/disable" class="stacked">
          <Csrf token={props.frame.csrf} />
          <p class="hint">{p.totpDisableHint}</p>
          <PasswordField id="totp-off-password" name="password" label={l.password} />
          <CodeField id="totp-off-code" label={l.totp} />
          <button type="submit">{p.totpDisable}</button>
        </form>
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="totp-title">
      <h2 id="totp-title">{p.totpTitle}</h2>
      {props.setup ? (
        <form method="post" action="/admin/account/totp/enable" class="stacked">
          <Csrf token={props.frame.csrf} />
          <p>{p.totpScan}</p>
          {/* Drawn by admin.js from the URI (uqr, bundled): no image service sees the secret. */}
          <div class="qr" data-qr={props.setup.uri} role="img" aria-label={p.totpSecret}></div>
          <p>
            {p.totpSecret}: <code class="secret">{props.setup.secret}</code>
          </p>
          <input type="hidden" name="secret" value={props.setup.secret} />
          <CodeField id="totp-code" label={l.totp} autofocus />
          <button type="submit" class="primary">
            {p.totpConfirm}
          </button>
        </form>
      ) : (
        <form method="post" action="/admin/account/totp/setup" class="stacked">
          <Csrf token={props.frame.csrf} />
          <p>{p.totpIsOff}</p>
          <button type="submit" class="primary">
            {p.totpStart}
          </button>
        </form>
      )}
    </section>
  );
}

/** The named text fields of a form (missing ones left out, for the schema to name). */
function pick(form: Form, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = form[name];
    if (v !== undefined) out[name] = name === 'code' ? v.trim() : v;
  }
  return out;
}

const outcomeOf = (c: PagesContext): Outcome => ({ done: doneOf(c, peopleDone) });

function contextOf(c: PagesContext): accounts.CommandContext {
  const user = c.var.user!;
  return { actor: { name: user.name, role: user.role }, requestId: c.var.requestId, at: nowDate() };
}

type Render = (c: PagesContext, outcome: Outcome, status: number, form?: Form) => Promise<Response>;

export function registerPeoplePages(app: Hono<AdminPageEnv>, frame: AdminFrame) {
  /**
   * A form post: CSRF first, then the action. A client's mistake (any AppError, a failed CSRF
   * check too) re-renders the page with it inline at its own status; anything else is ours.
   */
  const post = (
    path: string,
    render: Render,
    action: (c: PagesContext, form: Form) => Promise<Response>,
  ) =>
    app.post(
      path,
      formAction(
        {
          frame,
          refusal: anyProblem,
          render: (c, problem, form) => render(c, { problem }, problem.status, form),
          csrfOnPage: true,
        },
        action,
      ),
    );
  const page = (c: PagesContext, title: string, section: AdminSection, body: Child, status = 200) =>
    framedPage(c, frame(c), title, section, body, status);

  const peopleAdminsOnly = adminsOnly(frame, (l) => ({
    title: l.people.forbidden,
    message: l.people.forbiddenDetail,
  }));
  for (const path of ['/admin/users', '/admin/users/*', '/admin/tokens', '/admin/tokens/*']) {
    app.use(path, peopleAdminsOnly);
  }

  // --- People (admins) ---

  const usersPage = async (c: PagesContext, outcome: Outcome, status = 200) => {
    const f = frame(c);
    const l = f.labels;
    const p = l.people;
    const people = await listUsers(primaryDb(c));
    const me = c.var.user!;
    return page(
      c,
      p.users,
      'users',
      <>
        <OutcomeNotice labels={l} outcome={outcome} />
        <table class="article-list people-list">
          <TableHead
            cols={[
              p.displayName,
              l.username,
              p.role,
              p.state,
              p.lastSignIn,
              p.twoFactor,
              p.actions,
            ]}
          />
          <tbody>
            {people.map((u) => (
              <tr data-username={u.username}>
                <td>{u.displayName}</td>
                <td>
                  <code>{u.username}</code>
                  {u.mustChangePassword ? (
                    <>
                      {' '}
                      <span class="badge badge-scheduled">{p.mustChangeBadge}</span>
                    </>
                  ) : null}
                </td>
                <td>{p.roles[u.role]}</td>
                <td>
                  {u.disabledAt ? (
                    <span class="badge badge-archived">{p.disabled}</span>
                  ) : (
                    <span class="badge badge-published">{p.active}</span>
                  )}
                </td>
                <td>
                  <When at={u.lastSignInAt} timeZone={f.timeZone} never={p.never} />
                </td>
                <td>{u.totpEnabled ? p.on : p.off}</td>
                <td class="row-actions">
                  {u.id === me.id ? null : (
                    <>
                      <form method="post" action={`/admin/users/${u.id}`} class="inline-form">
                        <Csrf token={f.csrf} />
                        <input type="hidden" name="action" value="role" />
                        <label class="visually-hidden" for={`role-${u.id}`}>
                          {p.role}
                        </label>
                        <RoleSelect labels={l} name="role" id={`role-${u.id}`} value={u.role} />
                        <button type="submit">{p.changeRole}</button>
                      </form>
                      <ActionButton
                        action={`/admin/users/${u.id}`}
                        csrf={f.csrf}
                        label={u.disabledAt ? p.enable : p.disable}
                        fields={{ action: u.disabledAt ? 'enable' : 'disable' }}
                      />
                      {u.totpEnabled ? (
                        <ActionButton
                          action={`/admin/users/${u.id}`}
                          csrf={f.csrf}
                          label={p.removeTotp}
                          fields={{ action: 'remove-totp' }}
                        />
                      ) : null}
                    </>
                  )}
                  <details>
                    <summary>{p.resetPassword}</summary>
                    <form method="post" action={`/admin/users/${u.id}`} class="stacked">
                      <Csrf token={f.csrf} />
                      <input type="hidden" name="action" value="reset" />
                      <p class="hint">{p.resetPasswordHint}</p>
                      <PasswordField
                        id={`reset-${u.id}`}
                        name="password"
                        label={p.initialPassword}
                        fresh
                      />
                      <button type="submit">{p.reset}</button>
                    </form>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {people.length ? null : <p>{p.noUsers}</p>}
        <CreateForm action="/admin/users" title={p.createUser} frame={f}>
          <label for="new-display-name">{p.displayName}</label>
          <input id="new-display-name" name="displayName" maxlength={100} required />
          <label for="new-username">{l.username}</label>
          <input
            id="new-username"
            name="username"
            autocomplete="off"
            pattern="[a-z0-9][a-z0-9._\-]{1,39}"
            maxlength={40}
            required
          />
          <label for="new-role">{p.role}</label>
          <RoleSelect labels={l} name="role" id="new-role" value="editor" />
          <PasswordField
            id="new-password"
            name="password"
            label={p.initialPassword}
            fresh
            describedBy="new-password-hint"
          />
          <p id="new-password-hint" class="hint">
            {p.initialPasswordHint}
          </p>
        </CreateForm>
      </>,
      status,
    );
  };

  app.get('/admin/users', (c) => usersPage(c, outcomeOf(c)));

  post('/admin/users', usersPage, async (c, form) => {
    const input = parseForm(
      accounts.newUserInput,
      pick(form, ['username', 'displayName', 'role', 'password']),
    );
    await accounts.createAccount(primaryDb(c), contextOf(c), input);
    return c.redirect('/admin/users?done=created', 303);
  });

  post('/admin/users/:id', usersPage, async (c, form) => {
    const id = idParam(c);
    const action = form.action;
    const known =
      action && Object.hasOwn(userActions, action)
        ? userActions[action as keyof typeof userActions]
        : undefined;
    await accounts.updateAccount(
      primaryDb(c),
      { ...contextOf(c), self: c.var.user!.id },
      id,
      parseForm(accounts.userChangesInput, known ? known.changes(form) : { action }),
    );
    return c.redirect(`/admin/users?done=${known!.done}`, 303);
  });

  // --- API tokens (admins) ---

  const tokensPage = async (
    c: PagesContext,
    outcome: Outcome & { secret?: string },
    status = 200,
  ) => {
    const f = frame(c);
    const l = f.labels;
    const p = l.people;
    const tokens = await listTokensQuery(primaryDb(c));
    const now = nowDate().getTime();
    return page(
      c,
      p.tokens,
      'tokens',
      <>
        <OutcomeNotice labels={l} outcome={outcome} />
        {outcome.secret ? (
          <div class="card secret-once" role="status">
            <p>{p.newTokenOnce}</p>
            <code id="new-token" class="secret">
              {outcome.secret}
            </code>
            <button type="button" data-copy="#new-token" data-copied={p.copied} hidden>
              {p.copy}
            </button>
          </div>
        ) : null}
        {tokens.length ? (
          <table class="article-list">
            <TableHead
              cols={[p.tokenName, p.role, p.createdAt, p.lastUsed, p.expiresAt, p.state, p.actions]}
            />
            <tbody>
              {tokens.map((t) => {
                const expired = t.expiresAt !== null && t.expiresAt.getTime() <= now;
                return (
                  <tr data-token={t.name}>
                    <td>{t.name}</td>
                    <td>{p.roles[t.role]}</td>
                    <td>
                      <When at={t.createdAt} timeZone={f.timeZone} never={p.never} />
                    </td>
                    <td>
                      <When at={t.lastUsedAt} timeZone={f.timeZone} never={p.never} />
                    </td>
                    <td>
                      <When at={t.expiresAt} timeZone={f.timeZone} never={p.expiryNever} />
                    </td>
                    <td>
                      {t.revokedAt ? (
                        <span class="badge badge-archived">{p.revoked}</span>
                      ) : expired ? (
                        <span class="badge badge-draft">{p.expired}</span>
                      ) : (
                        <span class="badge badge-published">{p.active}</span>
                      )}
                    </td>
                    <td>
                      {t.revokedAt || expired ? null : (
                        <ActionButton
                          action={`/admin/tokens/${t.id}/revoke`}
                          csrf={f.csrf}
                          label={p.revoke}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <p>{p.noTokens}</p>
        )}
        <CreateForm action="/admin/tokens" title={p.createToken} frame={f}>
          <label for="token-name">{p.tokenName}</label>
          <input id="token-name" name="name" maxlength={100} required />
          <label for="token-role">{p.role}</label>
          <RoleSelect labels={l} name="role" id="token-role" value="editor" />
          <label for="token-expiry">{p.expiry}</label>
          <select id="token-expiry" name="expiryDays">
            <option value="">{p.expiryNever}</option>
            {tokenExpiryDays.map((d) => (
              <option value={String(d)}>{p.expiryDays(d)}</option>
            ))}
          </select>
        </CreateForm>
      </>,
      status,
    );
  };

  app.get('/admin/tokens', (c) => tokensPage(c, outcomeOf(c)));

  post('/admin/tokens', tokensPage, async (c, form) => {
    const ctx = contextOf(c);
    const days = Number(form.expiryDays || 0);
    const input = parseForm(accounts.newTokenInput, {
      ...pick(form, ['name', 'role']),
      ...(tokenExpiryDays.includes(days as 30)
        ? { expiresAt: new Date(ctx.at.getTime() + days * 86_400_000).toISOString() }
        : {}),
    });
    const { token } = await accounts.createApiToken(primaryDb(c), ctx, input);
    // The secret is on this answer only (no-store, never in a URL): no redirect to lose it in.
    return tokensPage(c, { secret: token }, 201);
  });

  post('/admin/tokens/:id/revoke', tokensPage, async (c) => {
    await accounts.revokeApiToken(primaryDb(c), contextOf(c), idParam(c));
    return c.redirect('/admin/tokens?done=token-revoked', 303);
  });

  // --- Sessions (everyone their own; admins everyone's) ---

  const sessionsPage = async (c: PagesContext, outcome: Outcome, status = 200) => {
    const f = frame(c);
    const l = f.labels;
    const p = l.people;
    const me = c.var.user!;
    const all = me.role === 'admin';
    const rows = await listLiveSessionsQuery(primaryDb(c), nowDate(), all ? undefined : me.id);
    return page(
      c,
      p.sessions,
      'sessions',
      <>
        <OutcomeNotice labels={l} outcome={outcome} />
        <p class="hint">{all ? p.allSessionsHint : p.ownSessionsHint}</p>
        {rows.length ? (
          <table class="article-list">
            <TableHead
              cols={[...(all ? [p.person] : []), p.signedInAt, p.lastSeen, p.expiresAt, p.actions]}
            />
            <tbody>
              {rows.map((s) => (
                <tr data-session={s.id} data-username={s.username}>
                  {all ? (
                    <td>
                      {s.displayName} (<code>{s.username}</code>)
                    </td>
                  ) : null}
                  <td>
                    <When at={s.createdAt} timeZone={f.timeZone} never={p.never} />
                    {s.id === me.sessionId ? (
                      <>
                        {' '}
                        <span class="badge badge-published">{p.current}</span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <When at={s.lastSeenAt} timeZone={f.timeZone} never={p.never} />
                  </td>
                  <td>
                    <When at={s.expiresAt} timeZone={f.timeZone} never={p.never} />
                  </td>
                  <td>
                    <ActionButton
                      action={`/admin/sessions/${s.id}/revoke`}
                      csrf={f.csrf}
                      label={s.id === me.sessionId ? l.signOut : p.endSession}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>{p.noSessions}</p>
        )}
      </>,
      status,
    );
  };

  app.get('/admin/sessions', (c) => sessionsPage(c, outcomeOf(c)));

  post('/admin/sessions/:id/revoke', sessionsPage, async (c) => {
    const me = c.var.user!;
    const id = idParam(c);
    await accounts.revokeSession(
      primaryDb(c),
      contextOf(c),
      id,
      me.role === 'admin' ? undefined : me.id,
    );
    if (id === me.sessionId) {
      deleteCookie(c, sessionCookie, { path: '/', secure: true });
      return c.redirect('/admin/sign-in', 303);
    }
    return c.redirect('/admin/sessions?done=session-revoked', 303);
  });

  // --- One's own account: password and second factor ---

  const accountPage = async (
    c: PagesContext,
    outcome: Outcome & { setup?: { secret: string; uri: string } },
    status = 200,
    form?: Form,
  ) => {
    const f = frame(c);
    const me = c.var.user!;
    // A wrong confirmation code shows the same secret again: the app's entry stays the right one.
    const secret = form?.secret;
    const setup =
      outcome.setup ??
      (secret && /^[A-Z2-7]{32}$/.test(secret)
        ? { secret, uri: totpUri(secret, me.name) }
        : undefined);
    const row = await findUserById(primaryDb(c), me.id);
    return page(
      c,
      f.labels.people.account,
      'account',
      <>
        <OutcomeNotice labels={f.labels} outcome={outcome} />
        <div class="account-grid">
          <PasswordForm frame={f} mustChange={me.mustChangePassword} />
          {me.mustChangePassword ? null : (
            <TotpPanel frame={f} enabled={row?.totpSecret != null} setup={setup} />
          )}
        </div>
      </>,
      status,
    );
  };

  app.get('/admin/account', (c) => accountPage(c, outcomeOf(c)));

  // The forced first change (sign-in sends people here): the same form, nothing else.
  app.get('/admin/password', (c) => {
    const f = frame(c);
    const me = c.var.user!;
    return page(
      c,
      f.labels.changePassword,
      'account',
      <PasswordForm frame={f} mustChange={me.mustChangePassword} />,
    );
  });

  post('/admin/account/password', accountPage, async (c, form) => {
    const me = c.var.user!;
    const input = parseForm(
      accounts.passwordChangeInput,
      pick(form, ['currentPassword', 'newPassword']),
    );
    if (input.newPassword !== form.repeatPassword) {
      throw new AppError('unprocessable', {
        detail: 'The two new passwords differ',
        invalidParams: [{ name: 'repeatPassword', in: 'body', reason: 'differs' }],
      });
    }
    await accounts.changeOwnPassword(primaryDb(c), contextOf(c), me, input);
    return c.redirect(me.mustChangePassword ? '/admin' : '/admin/account?done=password', 303);
  });

  // Nothing is stored until a code proves the app has the secret (enable).
  post('/admin/account/totp/setup', accountPage, async (c) =>
    accountPage(c, { setup: newTotpSecret(c.var.user!.name) }),
  );

  post('/admin/account/totp/enable', accountPage, async (c, form) => {
    const input = parseForm(accounts.totpEnableInput, pick(form, ['secret', 'code']));
    await accounts.enableTotp(primaryDb(c), contextOf(c), c.var.user!.id, input);
    return c.redirect('/admin/account?done=totp-on', 303);
  });

  post('/admin/account/totp/disable', accountPage, async (c, form) => {
    const input = parseForm(accounts.totpDisableInput, pick(form, ['password', 'code']));
    await accounts.disableTotp(primaryDb(c), contextOf(c), c.var.user!.id, input);
    return c.redirect('/admin/account?done=totp-off', 303);
  });
}
