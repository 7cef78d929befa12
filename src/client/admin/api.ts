/**
 * The admin pages' one way to write: the admin JSON API with the session cookie (sent by the
 * browser) and the session's CSRF token from the page's meta tag.
 */
export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

export interface Problem {
  status: number;
  code?: string;
  detail?: string;
  invalidParams?: { name: string; reason: string }[];
}

export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; data: T; headers: Headers }> {
  const res = await fetch(`/api/v1/admin${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      'X-CSRF-Token': csrfToken(),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    window.location.assign(`/admin/sign-in?ended=1&next=${encodeURIComponent(location.pathname)}`);
  }
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const problem = (parsed ?? {}) as Problem;
    throw Object.assign(new Error(problem.detail ?? `HTTP ${res.status}`), {
      problem: { ...problem, status: res.status },
    });
  }
  return { status: res.status, data: parsed as T, headers: res.headers };
}

export function problemOf(err: unknown): Problem | null {
  return (err as { problem?: Problem } | null)?.problem ?? null;
}
