import { fnv1a } from './hash';

/**
 * Slugs are ASCII so they survive every mail client, log line and copy-paste.
 * Latin titles become hyphenated words; a title with too little Latin text (most Chinese
 * titles) becomes its publish date plus a short hash of the title, e.g. 20210930-k3f9x2,
 * which stays stable for the same title and day and never looks like a numeric id.
 */
export const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const maxSlugLength = 80;

/** A slug must contain a letter or hyphen so /articles/123 is always read as an id. */
export function isValidSlug(value: string): boolean {
  return value.length <= maxSlugLength && slugPattern.test(value) && /[a-z-]/.test(value);
}

function latinWords(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (words.length <= 60) return words;
  // Cut at a word boundary so a long title does not end in half a word.
  const cut = words.slice(0, 61);
  const boundary = cut.lastIndexOf('-');
  return (boundary > 0 ? cut.slice(0, boundary) : cut.slice(0, 60)).replace(/-+$/g, '');
}

/** Enough to tell same-day titles apart. */
function shortHash(text: string): string {
  return fnv1a(text).toString(36).padStart(6, '0').slice(-6);
}

export function slugify(title: string, publishedDay?: string): string {
  const words = latinWords(title);
  const letters = words.replace(/[^a-z]/g, '').length;
  if (letters >= 3 && /[a-z]/.test(words)) return words;
  const day = (publishedDay ?? '').replaceAll('-', '') || 'a';
  return `${day}-${shortHash(title)}`;
}
