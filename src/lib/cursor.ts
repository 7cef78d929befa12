import { decodeBase64Url } from 'hono/utils/encode';
import { AppError } from './errors';
import { fnv1a } from './hash';
import { base64Url } from './base64url';

/**
 * Opaque keyset cursors. The position travels with a checksum and a fingerprint of the query
 * that produced it, so a cursor that was edited, truncated, or pasted onto another filter
 * is refused with a 400 instead of silently skipping or repeating rows.
 */
type Position = readonly (number | string)[];

interface Envelope {
  v: 1;
  p: Position;
  q: string;
}

function checksum(text: string): string {
  return fnv1a(text).toString(36) + fnv1a(text, 0x5bd1e995).toString(36);
}

export function queryFingerprint(parts: Record<string, unknown>): string {
  return fnv1a(JSON.stringify(parts)).toString(36);
}

function fromBase64Url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
      decodeBase64Url(text),
    );
  } catch {
    return null;
  }
}

export function encodeCursor(position: Position, fingerprint: string): string {
  const json = JSON.stringify({ v: 1, p: position, q: fingerprint } satisfies Envelope);
  return `${base64Url(new TextEncoder().encode(json).buffer)}.${checksum(json)}`;
}

/** What each position element must be: an integer, a string, or epoch ms a Date can hold. */
export type CursorField = 'number' | 'string' | 'instant';

const maxEpochMs = 8.64e15;

function fitsShape(value: unknown, field: CursorField): boolean {
  if (field === 'string') return typeof value === 'string';
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return false;
  return field === 'number' || Math.abs(value) <= maxEpochMs;
}

export function decodeCursor(
  cursor: string,
  fingerprint: string,
  shape: readonly CursorField[],
): Position {
  const fail = (reason: string) => AppError.invalidParameter('cursor', 'query', reason);
  const [body, sum, extra] = cursor.split('.');
  if (!body || !sum || extra !== undefined) throw fail('is malformed');
  const json = fromBase64Url(body);
  if (json === null || checksum(json) !== sum) throw fail('is malformed or was altered');
  let envelope: Envelope;
  try {
    envelope = JSON.parse(json) as Envelope;
  } catch {
    throw fail('is malformed');
  }
  if (envelope?.v !== 1 || !Array.isArray(envelope.p) || envelope.p.length !== shape.length) {
    throw fail('is malformed');
  }
  if (envelope.q !== fingerprint) {
    throw fail('belongs to a different query; keep the same filters while paginating');
  }
  envelope.p.forEach((value, i) => {
    if (!fitsShape(value, shape[i]!)) throw fail('is malformed');
  });
  return envelope.p;
}
