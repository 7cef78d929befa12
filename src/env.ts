import type { Database } from './db/client';
import type { Logger } from './lib/logger';

export interface AppVariables {
  requestId: string;
  logger: Logger;
  db?: Database;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
