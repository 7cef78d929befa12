import { createLogger } from './logger';

/** Why a stored row cannot be shown, or null when it can. */
function malformation(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid date' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, field] of Object.entries(value)) {
    if (field instanceof Date && Number.isNaN(field.getTime())) return `invalid date in ${key}`;
  }
  return null;
}

/**
 * Maps the rows of a list, skipping (and logging) any row that is malformed in storage: a
 * mapping that throws (a broken JSON column) or yields an invalid date. One bad row written
 * behind the app's back, or by an old bug, must not take a whole list, page or feed down.
 */
export function wellFormed<R, T>(rows: readonly R[], map: (row: R) => T, list: string): T[] {
  const out: T[] = [];
  for (const row of rows) {
    let reason: string | null;
    try {
      const mapped = map(row);
      reason = malformation(mapped);
      if (!reason) {
        out.push(mapped);
        continue;
      }
    } catch (err) {
      reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    // No env here: query functions take only db. Warn is the default threshold's level.
    createLogger(undefined).warn('skipped a malformed row', {
      list,
      id: (row as { id?: unknown } | null)?.id,
      reason,
    });
  }
  return out;
}
