export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

function isLogLevel(value: string | undefined): value is LogLevel {
  return value !== undefined && value in rank;
}

/** One JSON object per line, so Workers Logs can index every field, the request id first among them. */
export function createLogger(level: string | undefined, base: LogFields = {}): Logger {
  const threshold = rank[isLogLevel(level) ? level : 'info'];
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (rank[lvl] < threshold) return;
    const line = JSON.stringify({ level: lvl, msg, ...base, ...fields });
    if (lvl === 'error') console.error(line);
    else if (lvl === 'warn') console.warn(line);
    else console.log(line);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

export function describeError(err: unknown): LogFields {
  if (err instanceof Error) return { error: err.name, errorMessage: err.message, stack: err.stack };
  return { error: String(err) };
}
