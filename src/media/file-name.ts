/**
 * Rules for an uploaded file's original name, which is shown to readers, put in URLs and
 * offered as the name to save under. Refused rather than silently cleaned, so an editor
 * learns why; the detail says which rule failed.
 */

export const maxFileNameLength = 255;

/** Characters that no common file system takes in a name, or that act as a path. */
const forbidden = /[/\\<>:"|?*]/;
/** Control characters (C0, DEL, C1). */
const control = /\p{Cc}/u;
/** Invisible direction marks and overrides, which can disguise an extension (exe.pdf). */
const bidi = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export type FileNameResult = { ok: true; name: string } | { ok: false; reason: string };

export function checkFileName(raw: string): FileNameResult {
  // macOS sends decomposed (NFD) names; store one form so the same name is one row and one URL.
  const name = raw.normalize('NFC');
  if (name.trim() === '') return { ok: false, reason: 'the file name is empty' };
  if ([...name].length > maxFileNameLength) {
    return { ok: false, reason: `the file name is longer than ${maxFileNameLength} characters` };
  }
  if (control.test(name)) return { ok: false, reason: 'the file name contains control characters' };
  if (bidi.test(name)) {
    return { ok: false, reason: 'the file name contains invisible direction characters' };
  }
  if (/[/\\]/.test(name)) {
    return { ok: false, reason: 'the file name contains a path separator (/ or \\)' };
  }
  if (forbidden.test(name)) {
    return { ok: false, reason: 'the file name contains one of < > : " | ? *' };
  }
  if (name !== name.trim() || /\.$/.test(name) || /^\./.test(name)) {
    return {
      ok: false,
      reason: 'the file name must not start or end with a space, nor start or end with a dot',
    };
  }
  return { ok: true, name };
}
