import type { Child } from 'hono/jsx';
import { assetUrl } from '../pages/layout';
import type { AdminLabels } from './labels';

export interface AdminUserView {
  displayName: string;
  username: string;
  role: string;
}

export interface AdminLayoutProps {
  labels: AdminLabels;
  siteName: string;
  title: string;
  /** The signed-in person; absent on the sign-in page. */
  user?: AdminUserView;
  /** The session's CSRF token, which admin.js sends with every write. */
  csrf?: string;
  /** Which nav entry is current. */
  section?: 'articles' | 'password' | 'users' | 'tokens' | 'sessions' | 'account';
  /** The path, so the language switch comes back to it. */
  path: string;
  timeZone: string;
  children?: Child;
}

/** The admin's frame: its own stylesheet and script (never loaded by reader pages). */
export function AdminLayout(props: AdminLayoutProps) {
  const l = props.labels;
  const admin = props.user?.role === 'admin';
  const nav: { key: NonNullable<AdminLayoutProps['section']>; href: string; label: string }[] = [
    { key: 'articles', href: '/admin', label: l.articles },
    // Admin-only entries are not shown to others (the pages answer them 403 anyway).
    ...(admin
      ? [
          { key: 'users' as const, href: '/admin/users', label: l.people.users },
          { key: 'tokens' as const, href: '/admin/tokens', label: l.people.tokens },
        ]
      : []),
    { key: 'sessions', href: '/admin/sessions', label: l.people.sessions },
    { key: 'account', href: '/admin/account', label: l.people.account },
  ];
  return (
    <html lang={l.langTag}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${props.title} - ${l.admin} - ${props.siteName}`}</title>
        {props.csrf ? <meta name="csrf-token" content={props.csrf} /> : null}
        <meta name="site-time-zone" content={props.timeZone} />
        <link rel="stylesheet" href={assetUrl('/assets/admin.css')} />
        <script src={assetUrl('/assets/admin.js')} defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          {l.skipToContent}
        </a>
        <header class="admin-header">
          <a class="admin-brand" href="/admin">
            {props.siteName} · {l.admin}
          </a>
          {props.user ? (
            <nav aria-label={l.nav}>
              <ul class="admin-nav">
                {nav.map((n) => (
                  <li>
                    <a href={n.href} aria-current={props.section === n.key ? 'page' : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          <div class="admin-account">
            <a
              href={`/admin/lang/${l.otherLang}?back=${encodeURIComponent(props.path)}`}
              lang={l.otherLang}
            >
              {l.otherLangName}
            </a>
            {props.user ? (
              <>
                <span>
                  {l.signedInAs}: <strong>{props.user.displayName}</strong> ({props.user.username})
                </span>
                <form method="post" action="/admin/sign-out" class="inline-form">
                  <input type="hidden" name="csrf" value={props.csrf} />
                  <button type="submit">{l.signOut}</button>
                </form>
              </>
            ) : null}
          </div>
        </header>
        <main id="main" tabindex={-1} class="admin-main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}
