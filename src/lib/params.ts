import { z } from '@hono/zod-openapi';
import { slugPattern, maxSlugLength } from './slug';
import { parseCalendarDate } from './time';

/**
 * Shared validators for public parameters; each failure message names what was expected.
 * Factories, like idListParam(max): every caller gets its own schema to decorate with .openapi().
 */

/** For routes that take no query parameters: a stray one is a mistake worth reporting. */
export const noQueryParams = z.object({}).strict();

export function slugParam() {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(maxSlugLength, `must be at most ${maxSlugLength} characters`)
    .regex(slugPattern, 'must be lowercase letters, digits and single hyphens');
}

export function idParam() {
  return z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive whole number')
    .transform(Number)
    .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));
}

export function idOrSlugParam() {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(maxSlugLength, `must be at most ${maxSlugLength} characters`)
    .regex(
      /^(?:[1-9][0-9]{0,15}|(?=[a-z0-9-]*[a-z-])[a-z0-9]+(?:-[a-z0-9]+)*)$/,
      'must be an article id or slug',
    )
    .transform((value) => (/^[0-9]+$/.test(value) ? { id: Number(value) } : { slug: value }));
}

/**
 * A comma-separated list of positive ids, e.g. 3,1,2: at most `max` of them, no blanks or
 * spaces. Duplicates collapse; the result is sorted so the same set always reads the same.
 */
export function idListParam(max: number) {
  const message = `must be up to ${max} comma-separated positive whole numbers`;
  return z
    .string()
    .max(max * 17, message)
    .regex(/^[1-9][0-9]{0,15}(?:,[1-9][0-9]{0,15})*$/, message)
    .transform((value, ctx) => {
      const listed = value.split(',').map(Number);
      const ids = [...new Set(listed)].sort((a, b) => a - b);
      if (listed.length > max || ids.some((id) => !Number.isSafeInteger(id))) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return ids;
    })
    .openapi({ type: 'string', pattern: '^[1-9][0-9]*(,[1-9][0-9]*)*$', example: '12,7,3' });
}

export function limitParam(max: number, fallback: number) {
  return optionalLimitParam(max)
    .transform((value) => value ?? fallback)
    .openapi({ type: 'integer', minimum: 1, maximum: max, default: fallback });
}

/** A page size the handler defaults itself, when the default depends on other parameters. */
export function optionalLimitParam(max: number) {
  return z
    .string()
    .regex(/^[0-9]{1,4}$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, `must be a whole number from 1 to ${max}`)
        .max(max, `must be a whole number from 1 to ${max}`),
    )
    .optional()
    .openapi({ type: 'integer', minimum: 1, maximum: max });
}

export function cursorParam() {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(512, 'is too long')
    .openapi({ description: 'Opaque cursor from meta.nextCursor of the previous page.' });
}

const instantPattern =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

export type DateBound = { kind: 'date'; date: string } | { kind: 'instant'; instant: Date };

/** A calendar day (in the site's time zone) or an exact RFC 3339 instant. */
export function dateBoundParam() {
  return z
    .string()
    .max(40, 'is too long')
    .transform((value, ctx): DateBound => {
      if (parseCalendarDate(value)) return { kind: 'date', date: value };
      // An unencoded "+" in a query string arrives as a space; the offset is still unambiguous.
      const normalized = value.replace(/ (?=(?:[01]\d|2[0-3]):[0-5]\d$)/, '+').toUpperCase();
      const m = instantPattern.exec(normalized);
      if (m && parseCalendarDate(m[1]!)) {
        const instant = new Date(normalized);
        if (!Number.isNaN(instant.getTime())) return { kind: 'instant', instant };
      }
      ctx.addIssue({
        code: 'custom',
        message: 'must be a real date (YYYY-MM-DD) or an RFC 3339 date-time',
      });
      return z.NEVER;
    })
    .openapi({
      type: 'string',
      description: 'A day (YYYY-MM-DD, in the site time zone) or an RFC 3339 date-time.',
      example: '2021-09-30',
    });
}
