import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { isSameOriginRequest, sessionPrincipal } from '../auth/middleware';
import { primaryDb } from '../auth/session';
import { clientKeyOf, signIn } from '../auth/sign-in';
import {
  csrfTokenFor,
  revokeSessionStatement,
  sessionCookie,
  sessionLifetimeMs,
} from '../auth/user-sessions';
import { auditStatement } from '../authoring/audit';
import { adminListSorts, listAdminArticles, type AdminListSort } from '../authoring/queries';
import { listChannelTree, type ChannelNode } from '../channels/queries';
import { articleStatuses, type ArticleStatus } from '../db/schema';
import type { AppEnv, Principal } from '../env';
import { nowDate } from '../lib/clock';
import { decodeCursor, encodeCursor, queryFingerprint } from '../lib/cursor';
import { AppError } from '../lib/errors';
import { dispatchTo, handErrorsOn, outerRequest } from '../lib/sub-app';
import type { Lang } from '../lib/labels';
import { siteConfig } from '../lib/site';
import { zonedDateTime } from '../lib/time';
import { adminLabels, type AdminLabels } from './labels';
import { AdminLayout } from './layout';
import {
  CodeField,
  flattenTree,
  framedPage,
  PasswordField,
  postedForm,
  type AdminFrame,
  type AdminPageEnv,
} from './form-kit';
import { EditorForm, type ChannelOption } from './editor-page';
import { registerChannelPages } from './channels-pages';
import { registerTagPages } from './tags-pages';
import { registerPeoplePages } from './people-pages';
import { findAdminArticle } from '../authoring/queries';
import { opsPages } from './ops-pages';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;

const langCookie = 'gazette_admin_lang';

/**
 * The admin's own policy: scripts and styles from this origin only (no 'unsafe-inline'),
 * images also from blob:/data: (pasted images before upload), never framed, no referrer.
 */
const csp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function langOf(c: Context<AppEnv>): Lang {
  const chosen = getCookie(c, langCookie);
  if (chosen === 'en' || chosen === 'zh-CN') return chosen;
  return siteConfig(c.env).lang;
}

function labelsOf(c: Context<AppEnv>): AdminLabels {
  return adminLabels(langOf(c));
}

/** Only admin paths: the sign-in's "next" and the language switch's "back" cannot leave /admin. */
function safeBack(value: string | undefined): string {
  return value && /^\/admin(?:[/?#]|$)/.test(value) && !value.startsWith('//') ? value : '/admin';
}

function signInRedirect(c: Context<AppEnv>, ended: boolean) {
  const url = new URL(c.req.url);
  const next = encodeURIComponent(url.pathname + url.search);
  if (ended) deleteCookie(c, sessionCookie, { path: '/', secure: true });
  return c.redirect(`/admin/sign-in?next=${next}${ended ? '&ended=1' : ''}`, 303);
}

function flattenChannels(tree: ChannelNode[]): ChannelOption[] {
  return flattenTree(tree).map(({ node, depth }) => ({ slug: node.slug, name: node.name, depth }));
}

function buildPages() {
  const app = new Hono<AdminPageEnv>();

  app.use('*', outerRequest, async (c, next) => {
    await next();
    c.header('Content-Security-Policy', csp);
    c.header('Cache-Control', 'no-store');
    c.header('X-Robots-Tag', 'noindex, nofollow');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
  });

  app.get('/admin/lang/:lang', (c) => {
    const lang = c.req.param('lang');
    if (lang === 'en' || lang === 'zh-CN') {
      setCookie(c, langCookie, lang, {
        path: '/admin',
        sameSite: 'Strict',
        secure: true,
        httpOnly: true,
        maxAge: 365 * 86400,
      });
    }
    return c.redirect(safeBack(c.req.query('back')), 303);
  });

  const signInPage = (
    c: Context<AppEnv>,
    status: 200 | 401 | 403 | 429,
    message?: string,
    values: { username?: string; needTotp?: boolean } = {},
  ) => {
    const l = labelsOf(c);
    const site = siteConfig(c.env);
    const next = safeBack(c.req.query('next'));
    return c.html(
      <AdminLayout
        labels={l}
        siteName={site.name}
        title={l.signInTitle}
        path="/admin/sign-in"
        timeZone={site.timeZone}
      >
        <form
          method="post"
          action={`/admin/sign-in?next=${encodeURIComponent(next)}`}
          class="card sign-in"
        >
          {message ? (
            <p class="alert" role="alert">
              {message}
            </p>
          ) : null}
          <label for="username">{l.username}</label>
          <input
            id="username"
            name="username"
            autocomplete="username"
            required
            maxlength={40}
            value={values.username}
            autofocus={!values.username}
          />
          <PasswordField id="password" name="password" label={l.password} />
          {values.needTotp ? (
            <>
              <CodeField
                id="totp"
                name="totp"
                label={l.totp}
                required={false}
                describedBy="totp-hint"
                autofocus
              />
              <p id="totp-hint" class="hint">
                {l.totpHint}
              </p>
            </>
          ) : null}
          <button type="submit" class="primary">
            {l.signIn}
          </button>
        </form>
      </AdminLayout>,
      status,
    );
  };

  app.get('/admin/sign-in', (c) => {
    const l = labelsOf(c);
    return signInPage(c, 200, c.req.query('ended') ? l.sessionEnded : undefined);
  });

  app.post('/admin/sign-in', async (c) => {
    const l = labelsOf(c);
    // Login CSRF: another site must not sign a browser in to an account of its choosing.
    if (!isSameOriginRequest(c)) return signInPage(c, 403, l.invalidCredentials);
    const form = await c.req.parseBody();
    const username = typeof form.username === 'string' ? form.username.slice(0, 40) : '';
    const password = typeof form.password === 'string' ? form.password.slice(0, 200) : '';
    const totp = typeof form.totp === 'string' && form.totp !== '' ? form.totp : undefined;
    const at = nowDate();
    const result = await signIn(
      primaryDb(c),
      { account: c.env.SIGN_IN_ACCOUNT_RATE_LIMITER, client: c.env.SIGN_IN_CLIENT_RATE_LIMITER },
      {
        username,
        password,
        totp,
        clientKey: await clientKeyOf(c.req.header('CF-Connecting-IP') ?? 'unknown'),
        requestId: c.var.requestId,
        at,
      },
    );
    if (!result.ok) {
      if (result.reason === 'rate_limited') {
        c.header('Retry-After', '60');
        return signInPage(c, 429, l.rateLimited, { username });
      }
      if (result.reason === 'totp_required') {
        return signInPage(c, 401, l.totpRequired, { username, needTotp: true });
      }
      if (result.reason === 'totp_invalid') {
        return signInPage(c, 401, l.totpInvalid, { username, needTotp: true });
      }
      return signInPage(c, 401, l.invalidCredentials, { username });
    }
    // Max-Age, not Expires: it does not depend on the browser's clock (and Hono refuses an
    // Expires computed from the app's clock when that is pinned far from the real one).
    setCookie(c, sessionCookie, result.token, {
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Strict',
      maxAge: Math.floor(sessionLifetimeMs / 1000),
    });
    const next = result.user.mustChangePassword ? '/admin/password' : safeBack(c.req.query('next'));
    return c.redirect(next, 303);
  });

  // Everything below needs a signed-in person. Every POST handler below checks the form's CSRF
  // field first (checkCsrf).
  app.use('*', async (c, next) => {
    let user: UserPrincipal | null;
    try {
      user = await sessionPrincipal(c, { formCsrf: true });
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthorized') return signInRedirect(c, true);
      throw err;
    }
    if (!user) return signInRedirect(c, false);
    c.set('principal', user);
    c.set('user', user);
    c.set('csrf', await csrfTokenFor(getCookie(c, sessionCookie)!));
    if (user.mustChangePassword && c.req.path !== '/admin/password' && c.req.method === 'GET') {
      return c.redirect('/admin/password', 303);
    }
    await next();
  });

  app.post('/admin/sign-out', async (c) => {
    await postedForm(c);
    const user = c.var.user!;
    const db = primaryDb(c);
    const at = nowDate();
    await db.batch([
      revokeSessionStatement(db, user.sessionId, at),
      auditStatement(db, {
        actor: { name: user.name, role: user.role },
        action: 'session.sign-out',
        targetType: 'session',
        targetId: user.sessionId,
        requestId: c.var.requestId,
        at,
        outcome: 'ok',
      }),
    ]);
    deleteCookie(c, sessionCookie, { path: '/', secure: true });
    return c.redirect('/admin/sign-in', 303);
  });

  const frame: AdminFrame = (c) => {
    const site = siteConfig(c.env);
    const url = new URL(c.req.url);
    return {
      labels: labelsOf(c),
      siteName: site.name,
      timeZone: site.timeZone,
      user: {
        displayName: c.var.user!.displayName,
        username: c.var.user!.name,
        role: c.var.user!.role,
      },
      csrf: c.var.csrf,
      path: url.pathname + url.search,
    };
  };

  registerChannelPages(app, frame);
  registerTagPages(app, frame);
  registerPeoplePages(app, frame);

  app.get('/admin', async (c) => {
    const f = frame(c);
    const l = f.labels;
    const q = c.req.query();
    const status = articleStatuses.includes(q.status as ArticleStatus)
      ? (q.status as ArticleStatus)
      : undefined;
    const db = primaryDb(c);
    const flat = flattenChannels(await listChannelTree(db));
    const channel = flat.some((ch) => ch.slug === q.channel) ? q.channel : undefined;
    const author = q.author?.trim().slice(0, 200) || undefined;
    const title = q.q?.trim().slice(0, 200) || undefined;
    const sort = adminListSorts.includes(q.sort as AdminListSort)
      ? (q.sort as AdminListSort)
      : undefined;
    const fingerprint = queryFingerprint({ adminPage: 1, status, channel, author, title, sort });
    let after: [number, number] | undefined;
    if (q.cursor) {
      try {
        after = decodeCursor(q.cursor, fingerprint, [
          sort === 'views' ? 'number' : 'instant',
          'number',
        ]) as [number, number];
      } catch {
        after = undefined;
      }
    }
    const page = await listAdminArticles(db, {
      status,
      channelSlug: channel,
      author,
      title,
      sort,
      after,
      limit: 20,
    });
    const nextHref = page.next
      ? `/admin?${new URLSearchParams({
          ...(status ? { status } : {}),
          ...(channel ? { channel } : {}),
          ...(author ? { author } : {}),
          ...(title ? { q: title } : {}),
          ...(sort ? { sort } : {}),
          cursor: encodeCursor(page.next, fingerprint),
        }).toString()}`
      : null;
    return c.html(
      <AdminLayout {...f} title={l.articles} section="articles">
        <div class="toolbar">
          {c.var.user!.role !== 'reader-preview' ? (
            <a class="button primary" href="/admin/articles/new">
              {l.newArticle}
            </a>
          ) : null}
          <form method="get" action="/admin" class="filters" role="search">
            {/* Labels beside (not around) their controls, which a wrapped select would name
                with its chosen option too ("Status All statuses"); admin.css sets each
                label above its control. */}
            <label for="f-status">{l.status}</label>
            <select name="status" id="f-status">
              <option value="">{l.allStatuses}</option>
              {(['draft', 'scheduled', 'published', 'archived'] as const).map((s) => (
                <option value={s} selected={status === s}>
                  {l.statuses[s]}
                </option>
              ))}
            </select>
            <label for="f-channel">{l.channel}</label>
            <select name="channel" id="f-channel">
              <option value="">{l.allChannels}</option>
              {flat.map((ch) => (
                <option value={ch.slug} selected={channel === ch.slug}>
                  {'\u3000'.repeat(ch.depth) + ch.name}
                </option>
              ))}
            </select>
            <label for="f-author">{l.author}</label>
            <input name="author" value={author ?? ''} maxlength={200} id="f-author" />
            <label for="f-q">{l.searchTitle}</label>
            <input type="search" name="q" value={title ?? ''} maxlength={200} id="f-q" />
            <label for="f-sort">{l.sort}</label>
            <select name="sort" id="f-sort">
              {adminListSorts.map((s) => (
                <option value={s} selected={(sort ?? 'updated') === s}>
                  {l.sorts[s]}
                </option>
              ))}
            </select>
            <button type="submit">{l.filter}</button>
          </form>
        </div>
        {page.items.length ? (
          <table class="article-list">
            <thead>
              <tr>
                <th scope="col">{l.title}</th>
                <th scope="col">{l.channel}</th>
                <th scope="col">{l.author}</th>
                <th scope="col">{l.status}</th>
                <th scope="col">{l.updatedAt}</th>
                <th scope="col" class="num">
                  {l.views}
                </th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((a) => (
                <tr>
                  <td>
                    <a href={`/admin/articles/${a.id}`}>{a.title}</a>
                  </td>
                  <td>{a.channel.name}</td>
                  <td>{a.author}</td>
                  <td>
                    <span class={`badge badge-${a.status}`}>{l.statuses[a.status]}</span>
                  </td>
                  <td>
                    <time datetime={a.updatedAt.toISOString()}>
                      {zonedDateTime(a.updatedAt, f.timeZone)}
                    </time>
                  </td>
                  <td class="num">{a.views}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>{l.noArticles}</p>
        )}
        {nextHref ? (
          <p>
            <a href={nextHref} rel="next">
              {l.nextPage}
            </a>
          </p>
        ) : null}
      </AdminLayout>,
    );
  });

  app.get('/admin/articles/new', async (c) => {
    const f = frame(c);
    const channels = flattenChannels(await listChannelTree(primaryDb(c)));
    return framedPage(
      c,
      f,
      f.labels.newArticle,
      'articles',
      <EditorForm labels={f.labels} article={null} channels={channels} />,
    );
  });

  app.get('/admin/articles/:id{[1-9][0-9]{0,15}}', async (c) => {
    const f = frame(c);
    const db = primaryDb(c);
    const article = await findAdminArticle(db, Number(c.req.param('id')));
    if (!article || article.status === 'deleted') {
      throw new AppError('not_found', { detail: `No article ${c.req.param('id')}` });
    }
    const channels = flattenChannels(await listChannelTree(db));
    return framedPage(
      c,
      f,
      f.labels.editArticle,
      'articles',
      <EditorForm labels={f.labels} article={article} channels={channels} />,
    );
  });

  opsPages(app, frame);

  handErrorsOn(app);
  return app;
}

let pages: ReturnType<typeof buildPages> | undefined;

/** Runs an /admin request through the admin pages; errors go on to the app's onError. */
export function dispatchPages(c: Context<AppEnv>): Promise<Response> {
  pages ??= buildPages();
  return dispatchTo(pages, c);
}
