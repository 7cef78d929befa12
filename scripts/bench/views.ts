/**
 * What counting a view costs, measured: the counter objects book every storage row they write
 * (setAlarm included) and expose it through usageReport(); the live totals tell how many views
 * were really counted. Read straight from the running workerd through Miniflare.
 */
import type { Miniflare } from 'miniflare';

/** One counter object's books, as its usageReport() answers them. */
interface UsageReport {
  /** Storage rows written by the object since it woke (setAlarm counts as one). */
  rowsWritten: number;
  /** hit() calls the object counted, and those it refused (duplicates, bots, rate limit). */
  counted: number;
  rejected: number;
  /**
   * Alarm invocations (each a billed DO request; a flush the harness ran for views still
   * waiting counts as the alarm it replaced), flushes that reached D1, and D1's rows for them.
   */
  alarms: number;
  flushes: number;
  d1RowsWritten: number;
}

/** The books of every counter object of a scenario, summed. */
export interface CounterUsage extends UsageReport {
  objects: number;
}

export async function articleShards(mf: Miniflare, ids: number[]): Promise<Map<number, number>> {
  const db = await mf.getD1Database('DB');
  const shards = new Map<number, number>();
  for (let i = 0; i < ids.length; i += 90) {
    const chunk = ids.slice(i, i + 90);
    const { results } = await db
      .prepare(
        `SELECT id, view_shards AS shards FROM articles WHERE id IN (${chunk.map(() => '?').join(',')})`,
      )
      .bind(...chunk)
      .all<{ id: number; shards: number }>();
    for (const row of JSON.parse(JSON.stringify(results)) as { id: number; shards: number }[]) {
      shards.set(row.id, row.shards);
    }
  }
  return shards;
}

/** Sums usageReport() over every shard object of the given articles; null says why not. */
export async function counterUsage(
  mf: Miniflare,
  ids: number[],
): Promise<CounterUsage | { missing: string }> {
  let namespace;
  try {
    namespace = await mf.getDurableObjectNamespace('VIEW_COUNTER');
  } catch (err) {
    return { missing: `no VIEW_COUNTER Durable Object binding (${String(err)})` };
  }
  const shards = await articleShards(mf, ids);
  const total: CounterUsage = {
    objects: 0,
    rowsWritten: 0,
    counted: 0,
    rejected: 0,
    alarms: 0,
    flushes: 0,
    d1RowsWritten: 0,
  };
  const names = ids.flatMap((id) =>
    Array.from({ length: shards.get(id) ?? 1 }, (_, shard) => `article:${id}:${shard}`),
  );
  const read = async (name: string, attempt = 1): Promise<UsageReport | { error: string }> => {
    const stub = namespace.get(namespace.idFromName(name)) as unknown as {
      usageReport?: () => Promise<UsageReport>;
      flush?: () => Promise<{ flushed: boolean }>;
    };
    try {
      // Views still waiting for their flush alarm are flushed now, so D1's rows for them are
      // measured rather than guessed; each such flush stands for the alarm that would have run.
      const settled = JSON.parse(JSON.stringify(await stub.flush!())) as { flushed: boolean };
      // Miniflare hands back a proxy; a JSON round trip turns it into plain numbers.
      const report = JSON.parse(JSON.stringify(await stub.usageReport!())) as UsageReport;
      return { ...report, alarms: report.alarms + (settled.flushed ? 1 : 0) };
    } catch (err) {
      // The proxy's loopback connection can drop under load; the object itself is fine.
      if (attempt < 3 && /fetch failed/.test(String(err))) return read(name, attempt + 1);
      return { error: String(err) };
    }
  };
  for (let i = 0; i < names.length; i += 8) {
    const reports = await Promise.all(names.slice(i, i + 8).map((name) => read(name)));
    for (const report of reports) {
      if ('error' in report) {
        return { missing: `usageReport() on the counter objects failed: ${report.error}` };
      }
      total.objects += 1;
      // The report carries more than the books (alarmAt); only the booked counts are summed.
      for (const key of Object.keys(total) as (keyof CounterUsage)[]) {
        if (key !== 'objects') total[key] += report[key];
      }
    }
  }
  return total;
}
