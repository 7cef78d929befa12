export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Whether a line at this level would be written: lets a caller skip building its fields. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  log(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void;
}

function isLogLevel(value: string | undefined): value is LogLevel {
  return value !== undefined && value in rank;
}

/**
 * One JSON object per line, so Workers Logs can index every field, the request id first among
 * them. A class rather than closures: one is made per request.
 */
class JsonLogger implements Logger {
  private readonly threshold: number;

  constructor(
    level: string | undefined,
    private readonly base: LogFields,
  ) {
    this.threshold = rank[isLogLevel(level) ? level : 'info'];
  }

  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return rank[level] >= this.threshold;
  }

  log(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void {
    if (rank[level] < this.threshold) return;
    const line = JSON.stringify({ level, msg, ...this.base, ...fields });
    if (level === 'error') console.error(line);
    else if (level === 'warn') console.warn(line);
    else console.log(line);
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }
}

export function createLogger(level: string | undefined, base: LogFields = {}): Logger {
  return new JsonLogger(level, base);
}

export function describeError(err: unknown): LogFields {
  if (err instanceof Error) return { error: err.name, errorMessage: err.message, stack: err.stack };
  return { error: String(err) };
}
