import { api, problemOf } from './api';
import { cleanPastedHtml } from './paste';

interface ArticleData {
  id: number;
  title: string;
  body: string;
  status: string;
  version: number;
  updatedAt: string;
}

/** The instant a datetime-local value names in the site's time zone (not the browser's). */
export function zonedInstant(local: string, timeZone: string): Date {
  const [date, time] = local.split('T');
  const [y, m, d] = date!.split('-').map(Number);
  const [hh, mm] = time!.split(':').map(Number);
  const guess = Date.UTC(y!, m! - 1, d!, hh!, mm!);
  const offsetAt = (t: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(new Date(t));
    const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - t;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

export function startEditor(form: HTMLFormElement) {
  const body = form.querySelector<HTMLElement>('[data-role="body"]')!;
  const error = form.querySelector<HTMLElement>('[data-role="error"]')!;
  const status = form.querySelector<HTMLElement>('[data-role="status"]')!;
  const conflict = form.querySelector<HTMLElement>('[data-role="conflict"]')!;
  const timeZone =
    document.querySelector<HTMLMetaElement>('meta[name="site-time-zone"]')?.content ??
    'Asia/Shanghai';
  let dirty = false;
  let saving = false;

  const showError = (err: unknown) => {
    const p = problemOf(err);
    if (p?.status === 412) {
      conflict.hidden = false;
      return;
    }
    error.textContent = p?.detail ?? String(err);
    error.hidden = false;
  };

  const fields = () => {
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    return {
      title: text('title'),
      channel: text('channel'),
      source: text('source'),
      author: text('author'),
      summary: text('summary'),
      tags: text('tags')
        .split(/[,，、]/)
        .map((t) => t.trim())
        .filter(Boolean),
      body: body.innerHTML,
    };
  };

  const after = (res: { data: unknown; headers: Headers }) => {
    const etag = res.headers.get('ETag');
    if (etag) form.dataset.etag = etag;
    const a = (res.data as { data: ArticleData }).data;
    form.dataset.status = a.status;
    dirty = false;
    error.hidden = true;
    conflict.hidden = true;
    // The server's time of the save, in the site's zone (updatedAt carries its offset).
    status.textContent = `${status.dataset.saved ?? ''} ${a.updatedAt.slice(11, 19)}`;
    return a;
  };

  const save = async () => {
    if (saving) return;
    saving = true;
    try {
      const id = form.dataset.id;
      if (!id) {
        const res = await api('POST', '/articles', fields());
        const a = after(res);
        window.location.assign(`/admin/articles/${a.id}`);
        return;
      }
      after(await api('PATCH', `/articles/${id}`, fields(), { 'If-Match': form.dataset.etag! }));
    } catch (err) {
      showError(err);
    } finally {
      saving = false;
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  form.addEventListener('input', () => {
    dirty = true;
  });

  // Autosave: a draft with changes is saved every 30 seconds.
  window.setInterval(() => {
    if (dirty && form.dataset.id && form.dataset.status === 'draft' && conflict.hidden) {
      void save();
    }
  }, 30_000);

  const transition = async (name: string, json?: unknown) => {
    const id = form.dataset.id!;
    try {
      if (dirty) {
        after(await api('PATCH', `/articles/${id}`, fields(), { 'If-Match': form.dataset.etag! }));
      }
      after(
        await api('POST', `/articles/${id}/${name}`, json ?? {}, {
          'If-Match': form.dataset.etag!,
        }),
      );
    } catch (err) {
      showError(err);
    }
  };

  form.querySelector('[data-action="publish"]')?.addEventListener('click', () => {
    void transition('publish');
  });
  form.querySelector('[data-action="schedule"]')?.addEventListener('click', () => {
    const value = form.querySelector<HTMLInputElement>('[data-role="schedule-at"]')!.value;
    if (!value) return;
    void transition('publish', { publishedAt: zonedInstant(value, timeZone).toISOString() });
  });
  form.querySelector('[data-action="unpublish"]')?.addEventListener('click', () => {
    void transition('unpublish');
  });
  form.querySelector('[data-action="archive"]')?.addEventListener('click', () => {
    void transition('archive');
  });
  form.querySelector('[data-action="preview"]')?.addEventListener('click', () => {
    const win = window.open('about:blank', '_blank');
    api<{ data: { url: string } }>('POST', `/articles/${form.dataset.id}/preview-link`, {}).then(
      (res) => {
        if (win) win.location.href = res.data.data.url;
      },
      (err: unknown) => {
        win?.close();
        showError(err);
      },
    );
  });

  form.querySelector('[data-action="diff"]')?.addEventListener('click', () => {
    void api<{ data: ArticleData }>('GET', `/articles/${form.dataset.id}`).then((res) => {
      const theirs = res.data.data;
      const diff = form.querySelector<HTMLElement>('[data-role="diff"]')!;
      form.querySelector<HTMLElement>('[data-role="theirs"]')!.textContent =
        `${theirs.title}\n\n${new DOMParser().parseFromString(theirs.body, 'text/html').body.textContent ?? ''}`;
      form.querySelector<HTMLElement>('[data-role="mine"]')!.textContent =
        `${fields().title}\n\n${body.textContent ?? ''}`;
      diff.hidden = false;
      // Saving again now overwrites theirs knowingly: the new ETag is theirs.
      const etag = res.headers.get('ETag');
      if (etag) form.dataset.etag = etag;
    });
  });

  body.addEventListener('paste', (event) => {
    const html = event.clipboardData?.getData('text/html');
    if (!html) return;
    event.preventDefault();
    document.execCommand('insertHTML', false, cleanPastedHtml(html));
    dirty = true;
  });

  for (const button of Array.from(form.querySelectorAll<HTMLButtonElement>('[data-format]'))) {
    button.addEventListener('click', () => {
      body.focus();
      const f = button.dataset.format!;
      if (f === 'bold') document.execCommand('bold');
      else if (f === 'ul') document.execCommand('insertUnorderedList');
      else if (f === 'ol') document.execCommand('insertOrderedList');
      else document.execCommand('formatBlock', false, f);
      dirty = true;
    });
  }
}
