import { DurableObject } from 'cloudflare:workers';
import { now, nowDate, platformTime } from '../lib/clock';
import type { Entry } from './import';
import { emptyCounts, emptyReport } from './report';
import type { ImportJobView, ImportReport, Rejection } from './schemas';

/**
 * One background import (POST /api/v1/admin/import with more lines than a request imports
 * itself). The request checks every line and hands the good ones over; this object keeps them
 * in its own SQLite storage and writes them chunk by chunk from alarms. Each alarm's progress
 * (the report, the lines done) is committed in one storage transaction, so a restart midway
 * resumes at the first line not yet done; a chunk written just before a crash is written
 * again, which the import's idempotence (by externalId) turns into "unchanged".
 */

export type JobStatus = ImportJobView['status'];

interface JobMeta {
  status: JobStatus;
  actor: { name: string; role: string };
  requestId: string | null;
  createdAt: string;
  updatedAt: string;
  error: string | null;
  report: Omit<ImportReport, 'rejections'>;
}

/** D1 statements one alarm may run, within the platform's queries-per-invocation limit. */
const statementsPerAlarm = 500;
/** Entries read from storage per step. */
const entriesPerStep = 20;

export class ImportJob extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      this.sql
        .exec(`create table if not exists pending (n integer primary key, entry text not null);
        create table if not exists rejections (line integer primary key, external_id text, reason text not null);
        create table if not exists meta (k text primary key, v text not null);`);
    });
  }

  private meta(): JobMeta | null {
    const row = this.sql.exec<{ v: string }>(`select v from meta where k = 'job'`).toArray()[0];
    return row ? (JSON.parse(row.v) as JobMeta) : null;
  }

  private saveMeta(meta: JobMeta) {
    meta.updatedAt = nowDate().toISOString();
    this.sql.exec(`insert or replace into meta (k, v) values ('job', ?)`, JSON.stringify(meta));
  }

  private addRejections(list: readonly Rejection[]) {
    for (const r of list) {
      this.sql.exec(
        `insert or replace into rejections (line, external_id, reason) values (?, ?, ?)`,
        r.line,
        r.externalId,
        r.reason,
      );
    }
  }

  /** Opens the job (once); later calls with the same id add nothing. */
  async open(input: { actor: { name: string; role: string }; requestId: string | null }) {
    if (this.meta()) return;
    const at = nowDate().toISOString();
    this.saveMeta({
      status: 'queued',
      actor: input.actor,
      requestId: input.requestId,
      createdAt: at,
      updatedAt: at,
      error: null,
      report: emptyCounts(),
    });
  }

  /** Checked lines as the request read them: entries to import, lines already rejected. */
  async append(input: { entries: Entry[]; rejections: Rejection[]; lines: number }) {
    const meta = this.meta();
    if (!meta || meta.status !== 'queued') throw new Error('the job takes no more lines');
    this.ctx.storage.transactionSync(() => {
      for (const e of input.entries) {
        this.sql.exec(
          `insert or replace into pending (n, entry) values (?, ?)`,
          e.n,
          JSON.stringify(e),
        );
      }
      this.addRejections(input.rejections);
      meta.report.lines = input.lines;
      meta.report.rejected += input.rejections.length;
      meta.report.processed += input.rejections.length;
      this.saveMeta(meta);
    });
  }

  /** All lines are in: the writing starts (from an alarm, so the request can answer now). */
  async start(): Promise<ImportJobView> {
    const meta = this.meta();
    if (!meta) throw new Error('no such job');
    if (meta.status === 'queued') {
      meta.status = 'running';
      this.saveMeta(meta);
      await this.ctx.storage.setAlarm(platformTime(now()));
    }
    return this.view()!;
  }

  view(): ImportJobView | null {
    const meta = this.meta();
    if (!meta) return null;
    const rejections = this.sql
      .exec<{ line: number; external_id: string | null; reason: string }>(
        `select line, external_id, reason from rejections order by line`,
      )
      .toArray()
      .map((r) => ({ line: r.line, externalId: r.external_id, reason: r.reason }));
    return {
      id: this.ctx.id.toString(),
      status: meta.status,
      createdAt: meta.createdAt,
      updatedAt: meta.updatedAt,
      error: meta.error,
      report: { ...meta.report, rejections },
    };
  }

  async status(): Promise<ImportJobView | null> {
    return this.view();
  }

  override async alarm(info?: { retryCount: number }): Promise<void> {
    const meta = this.meta();
    if (!meta || meta.status !== 'running') return;
    // Loaded here: the write path stays out of the startup of every other request.
    const [{ importEntries }, { createDb }, { sanitizePolicy }, { siteConfig }] = await Promise.all(
      [
        import('./import'),
        import('../db/client'),
        import('../lib/sanitize'),
        import('../lib/site'),
      ],
    );
    const env = this.env;
    const cap = Number(env.REVISION_CAP);
    const ctx = {
      actor: meta.actor,
      requestId: meta.requestId,
      timeZone: siteConfig(env).timeZone,
      revisionCap: Number.isInteger(cap) && cap >= 1 ? cap : undefined,
      sanitize: sanitizePolicy(env),
      media: env.MEDIA,
      effects: env.PUBLIC_ORIGIN
        ? {
            env,
            origin: env.PUBLIC_ORIGIN,
            waitUntil: (p: Promise<unknown>) => this.ctx.waitUntil(p),
          }
        : undefined,
    };
    const db = createDb(env.DB);
    let statements = 0;
    try {
      while (statements < statementsPerAlarm) {
        const rows = this.sql
          .exec<{ n: number; entry: string }>(
            `select n, entry from pending order by n limit ?`,
            entriesPerStep,
          )
          .toArray();
        if (!rows.length) break;
        const report = emptyReport();
        statements += await importEntries(
          db,
          rows.map((r) => JSON.parse(r.entry) as Entry),
          ctx,
          report,
        );
        // The step's progress in one storage transaction: its lines done, the report grown.
        this.ctx.storage.transactionSync(() => {
          const last = rows.at(-1)!.n;
          this.sql.exec(`delete from pending where n <= ?`, last);
          this.addRejections(report.rejections);
          for (const key of [
            'processed',
            'created',
            'updated',
            'unchanged',
            'channelsCreated',
            'tagsCreated',
            'rejected',
          ] as const) {
            meta.report[key] += report[key];
          }
          this.saveMeta(meta);
        });
      }
    } catch (err) {
      // The alarm is retried (with backoff) by the platform; after that the job says why.
      if ((info?.retryCount ?? 0) >= 5) {
        meta.status = 'failed';
        meta.error = err instanceof Error ? err.message : String(err);
        this.saveMeta(meta);
        return;
      }
      throw err;
    }
    const left = this.sql.exec<{ c: number }>(`select count(*) as c from pending`).one().c;
    if (left > 0) {
      await this.ctx.storage.setAlarm(platformTime(now()));
      return;
    }
    meta.status = 'done';
    this.saveMeta(meta);
  }
}
