import { municipalNdjson, type MunicipalArticle } from '../../transfer/municipal';
import { csrfToken, type Problem } from './api';

/**
 * The import page: sends the chosen file to the import API as a background job (`Prefer:
 * respond-async`), then opens the job's page; there, polls the job and moves the progress bar
 * until it is done, when the page reloads with the server-rendered report.
 */

function showError(form: HTMLFormElement, message: string) {
  const error = form.querySelector<HTMLElement>('[data-role="error"]')!;
  error.textContent = message;
  error.hidden = false;
}

/** The file as the import's NDJSON: as it is, or the old site's JSON mapped line by line. */
async function bodyOf(file: File, format: string): Promise<Blob | string> {
  if (format !== 'municipal') return file;
  const parsed = JSON.parse(await file.text()) as MunicipalArticle | MunicipalArticle[];
  return municipalNdjson(parsed);
}

function uploadForm(form: HTMLFormElement) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = form.querySelector<HTMLInputElement>('input[type="file"]')!;
    const file = input.files?.[0];
    if (!file) return;
    const format = new FormData(form).get('format') === 'municipal' ? 'municipal' : 'ndjson';
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    const uploading = form.querySelector<HTMLElement>('[data-role="uploading"]');
    form.querySelector<HTMLElement>('[data-role="error"]')!.hidden = true;
    button.disabled = true;
    if (uploading) uploading.hidden = false;
    const done = () => {
      button.disabled = false;
      if (uploading) uploading.hidden = true;
    };
    bodyOf(file, format)
      .then((body) =>
        fetch('/api/v1/admin/import', {
          method: 'POST',
          credentials: 'same-origin',
          headers: {
            Accept: 'application/json',
            'Content-Type': 'application/x-ndjson',
            Prefer: 'respond-async',
            'X-CSRF-Token': csrfToken(),
          },
          body,
        }),
      )
      .then(async (res) => {
        const parsed = (await res.json().catch(() => null)) as
          { data?: { id?: string } } | (Problem & { title?: string }) | null;
        if (res.status === 202 && parsed && 'data' in parsed && parsed.data?.id) {
          window.location.assign(`/admin/import/${parsed.data.id}`);
          return;
        }
        done();
        const problem = parsed as (Problem & { title?: string }) | null;
        showError(form, problem?.detail ?? problem?.title ?? `HTTP ${res.status}`);
      })
      .catch((err: unknown) => {
        done();
        showError(form, err instanceof Error ? err.message : String(err));
      });
  });
}

interface JobView {
  status: string;
  report: { lines: number; processed: number } & Record<string, unknown>;
}

function pollJob(section: HTMLElement) {
  const id = section.dataset.importJob!;
  const progress = section.querySelector<HTMLProgressElement>('[data-role="progress"]');
  const tick = () => {
    fetch(`/api/v1/admin/import/${id}`, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    })
      .then((res) => (res.ok ? (res.json() as Promise<{ data: JobView }>) : null))
      .then((body) => {
        if (!body) return window.setTimeout(tick, 3000);
        const job = body.data;
        if (job.status === 'done' || job.status === 'failed') {
          window.location.reload();
          return;
        }
        if (progress) {
          progress.max = Math.max(job.report.lines, 1);
          progress.value = job.report.processed;
          progress.textContent = `${job.report.processed} / ${job.report.lines}`;
        }
        section.querySelectorAll<HTMLElement>('[data-count]').forEach((cell) => {
          const value = job.report[cell.dataset.count!];
          if (typeof value === 'number') cell.textContent = String(value);
        });
        return window.setTimeout(tick, 1000);
      })
      .catch(() => window.setTimeout(tick, 3000));
  };
  window.setTimeout(tick, 500);
}

export function startImport() {
  const form = document.querySelector<HTMLFormElement>('form[data-form="import"]');
  if (form) uploadForm(form);
  const section = document.querySelector<HTMLElement>('[data-import-job]');
  const status = section?.dataset.status;
  if (section && (status === 'queued' || status === 'running')) pollJob(section);
}
