import type { Database } from './db/client';
import type { Logger } from './lib/logger';

export interface AppVariables {
  requestId: string;
  logger: Logger;
  db?: Database;
  /** Set by reader pages: their errors render as pages, not problem documents. */
  page?: true;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
