/**
 * A D1 binding that counts round trips: every first/all/run/raw on a statement, every batch
 * and every exec, including through withSession(). Hand it to the app as env.DB to check how
 * many times one request talks to the database.
 */
export interface D1Counter {
  roundTrips: number;
  calls: string[];
}

const statementCalls = new Set(['first', 'all', 'run', 'raw']);

export function countingD1(d1: D1Database): { db: D1Database; counter: D1Counter } {
  const counter: D1Counter = { roundTrips: 0, calls: [] };
  const originals = new WeakMap<object, D1PreparedStatement>();

  const count = (name: string) => {
    counter.roundTrips += 1;
    counter.calls.push(name);
  };

  const wrapStatement = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') {
          return (...values: unknown[]) => wrapStatement(target.bind(...values));
        }
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        if (typeof prop === 'string' && statementCalls.has(prop)) {
          return (...args: unknown[]) => {
            count(prop);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    originals.set(proxy, stmt);
    return proxy;
  };

  const unwrap = (stmt: D1PreparedStatement) => originals.get(stmt) ?? stmt;

  const wrapDb = <T extends D1Database | D1DatabaseSession>(db: T): T =>
    new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'prepare') {
          return (query: string) => wrapStatement(target.prepare(query));
        }
        if (prop === 'batch') {
          return (statements: D1PreparedStatement[]) => {
            count('batch');
            return target.batch(statements.map(unwrap));
          };
        }
        if (prop === 'exec') {
          return (query: string) => {
            count('exec');
            return (target as D1Database).exec(query);
          };
        }
        if (prop === 'withSession') {
          return (constraint?: string) => {
            counter.calls.push('withSession');
            return wrapDb((target as D1Database).withSession(constraint));
          };
        }
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });

  return { db: wrapDb(d1), counter };
}
