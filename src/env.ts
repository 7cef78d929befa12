import type { Database } from './db/client';
import type { TokenRole } from './db/schema';
import type { Logger } from './lib/logger';

/** Who an authenticated admin request acts for: an API token, or a person signed in. */
export type Principal =
  | { kind: 'token'; id: number; name: string; role: TokenRole }
  | {
      kind: 'user';
      /** The user's id; the audit log names them by `name`, their username. */
      id: number;
      name: string;
      displayName: string;
      role: TokenRole;
      sessionId: number;
      mustChangePassword: boolean;
    };

export interface AppVariables {
  requestId: string;
  logger: Logger;
  db?: Database;
  /** Set by requireRole() on admin routes. */
  principal?: Principal;
  /** The admin request's D1 session on the primary, and drizzle over it (src/auth/session.ts). */
  primarySession?: D1DatabaseSession;
  primaryDb?: Database;
  /** Set by reader pages: their errors render as pages, not problem documents. */
  page?: true;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}

declare global {
  // Augments the generated Env (worker-configuration.d.ts) with a secret wrangler types cannot see.
  interface Env {
    /** Signs preview links; a secret in production (wrangler secret put PREVIEW_SECRET). */
    PREVIEW_SECRET?: string;
    /**
     * The readers' worker's binding to the admin worker (wrangler.toml). `npm run types` writes
     * the admin worker's Env, which is the whole app's; this is the one binding only the reader has.
     */
    ADMIN?: Fetcher;
  }
}
