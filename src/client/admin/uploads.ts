import { csrfToken, type Problem } from './api';

export interface Media {
  id: number;
  url: string;
  name: string;
  size: number;
  type: string;
}

/**
 * One file to POST /api/v1/admin/media. XMLHttpRequest rather than fetch because only XHR
 * reports upload progress. The file name goes in the multipart header as the browser writes
 * it (UTF-8), so a Chinese name arrives as it was.
 */
export function uploadMedia(file: File, onProgress?: (fraction: number) => void): Promise<Media> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/admin/media');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress?.(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        // A non-JSON answer is reported by status below.
      }
      if (xhr.status === 200 || xhr.status === 201) {
        resolve((parsed as { data: Media }).data);
        return;
      }
      const problem = { ...((parsed ?? {}) as Problem), status: xhr.status };
      reject(Object.assign(new Error(problem.detail ?? `HTTP ${xhr.status}`), { problem }));
    });
    xhr.addEventListener('error', () => reject(new Error('network error')));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** 1.5 MB, 320 KB: the size as people read it. */
export function humanSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** "PDF", "DOCX": the kind of file from its name, as an editor recognises it. */
export function fileKind(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toUpperCase() : '';
}
