import { and, desc, eq, getTableColumns, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Database } from '../db/client';
import { auditLog, users, type AuditOutcome } from '../db/schema';
import type { AppEnv, Principal } from '../env';
import { nowDate } from '../lib/clock';

export interface Actor {
  name: string;
  role: string;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  targetType: string;
  /** A string or number, or SQL for an id known only inside the batch. */
  targetId?: string | number | SQL | null;
  requestId?: string | null;
  at?: Date;
  /** For content changes: which fields changed. */
  changedFields?: readonly string[] | null;
  outcome: AuditOutcome;
}

function auditValues(entry: AuditEntry) {
  return {
    at: entry.at ?? nowDate(),
    actorName: entry.actor.name,
    actorRole: entry.actor.role,
    action: entry.action,
    targetType: entry.targetType,
    // SQL stays SQL (an id known only inside the batch); String() of it would be "[object Object]".
    targetId:
      entry.targetId === undefined || entry.targetId === null
        ? null
        : typeof entry.targetId === 'object'
          ? entry.targetId
          : String(entry.targetId),
    requestId: entry.requestId ?? null,
    changedFields: entry.changedFields ? JSON.stringify(entry.changedFields) : null,
    outcome: entry.outcome,
  };
}

/**
 * The audit row as a batch item, so a write records itself in its own transaction. With
 * `onlyIf`, the row is written only when that SQL condition holds when the statement runs
 * (e.g. "the update above changed the row"), so a write that did nothing logs nothing.
 */
export function auditStatement(db: Database, entry: AuditEntry, onlyIf?: SQL) {
  const values = auditValues(entry);
  if (!onlyIf) return db.insert(auditLog).values(values);
  return db.insert(auditLog).select(
    db
      .select({
        id: sql<number>`null`.as('id'),
        at: sql`${values.at.getTime()}`.as('at'),
        actorName: sql`${values.actorName}`.as('actor_name'),
        actorRole: sql`${values.actorRole}`.as('actor_role'),
        action: sql`${values.action}`.as('action'),
        targetType: sql`${values.targetType}`.as('target_type'),
        targetId: sql`${values.targetId}`.as('target_id'),
        requestId: sql`${values.requestId}`.as('request_id'),
        changedFields: sql`${values.changedFields}`.as('changed_fields'),
        outcome: sql`${values.outcome}`.as('outcome'),
      })
      .from(sql`(select 1)`)
      .where(onlyIf),
  );
}

export function actorOf(principal: Principal): Actor {
  return { name: principal.name, role: principal.role };
}

/** The scheduler acts on its own behalf; its rows say so. */
export const schedulerActor: Actor = { name: 'scheduler', role: 'system' };

/** Actor and request id of the request, for audit entries written by route handlers. */
export function auditContext(c: Context<AppEnv>): { actor: Actor; requestId: string } {
  return { actor: actorOf(c.var.principal!), requestId: c.var.requestId };
}

/** A request's own successful action, recorded on its own (outside any batch). */
export function auditRequest(
  c: Context<AppEnv>,
  db: Database,
  action: string,
  targetType: string,
  targetId?: string | number,
) {
  return auditStatement(db, { ...auditContext(c), action, targetType, targetId, outcome: 'ok' });
}

export interface AuditFilter {
  actorName?: string;
  action?: string;
  /** Actions that start with this (`article.` for every article action). */
  actionPrefix?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditOutcome;
  since?: Date;
  /** Entries before this instant. */
  until?: Date;
  /** Keyset: the id of the last row already returned. */
  beforeId?: number;
  limit: number;
}

export type AuditRow = typeof auditLog.$inferSelect;

function auditConditions(filter: AuditFilter): SQL {
  const conditions: SQL[] = [];
  if (filter.actorName) conditions.push(eq(auditLog.actorName, filter.actorName));
  if (filter.action) conditions.push(eq(auditLog.action, filter.action));
  if (filter.actionPrefix) {
    // substr, not LIKE: a prefix with % or _ means those characters.
    conditions.push(
      sql`substr(${auditLog.action}, 1, ${filter.actionPrefix.length}) = ${filter.actionPrefix}`,
    );
  }
  if (filter.targetType) conditions.push(eq(auditLog.targetType, filter.targetType));
  if (filter.targetId) conditions.push(eq(auditLog.targetId, filter.targetId));
  if (filter.outcome) conditions.push(eq(auditLog.outcome, filter.outcome));
  if (filter.since) conditions.push(gte(auditLog.at, filter.since));
  if (filter.until) conditions.push(lt(auditLog.at, filter.until));
  if (filter.beforeId) conditions.push(lt(auditLog.id, filter.beforeId));
  return conditions.length ? and(...conditions)! : sql`1`;
}

export async function listAudit(db: Database, filter: AuditFilter): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(auditConditions(filter))
    .orderBy(desc(auditLog.id))
    .limit(filter.limit);
}

/**
 * An audit entry with the person it names: `actorDisplayName` is the display name of the
 * account whose username the entry records, null for a token, the scheduler or an account
 * since deleted. (Entries record the actor's name and role, not whether it was a session or
 * a token; a token named exactly like an account reads as that account.)
 */
export type AuditEntryView = AuditRow & { actorDisplayName: string | null };

export async function listAuditEntries(
  db: Database,
  filter: AuditFilter,
): Promise<AuditEntryView[]> {
  return db
    .select({ ...getTableColumns(auditLog), actorDisplayName: users.displayName })
    .from(auditLog)
    .leftJoin(users, eq(users.username, auditLog.actorName))
    .where(auditConditions(filter))
    .orderBy(desc(auditLog.id))
    .limit(filter.limit);
}
