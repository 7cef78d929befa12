import { api } from './api';
import { words as pageWords } from './words';

interface Revision {
  number: number;
  reason: string | null;
  actor: string | null;
  createdAt: string;
  title: string;
}

interface Change {
  field: string;
  from: unknown;
  to: unknown;
}

/**
 * Text an editor can compare: HTML bodies as their text (a picture as its file name), lists
 * of tags or files as their names, the policy fields as lines.
 */
function shown(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') {
    if (!/<[a-z]/i.test(value)) return value;
    const doc = new DOMParser().parseFromString(value, 'text/html');
    for (const img of Array.from(doc.querySelectorAll('img'))) {
      const src = img.getAttribute('src') ?? '';
      img.replaceWith(
        `[${img.getAttribute('alt') || decodeURIComponent(src.split('/').pop() ?? '')}]`,
      );
    }
    for (const block of Array.from(doc.querySelectorAll('p, h2, h3, li, tr'))) block.append('\n');
    return (doc.body.textContent ?? '').trim();
  }
  if (Array.isArray(value)) {
    return value
      .map((v) => (v && typeof v === 'object' && 'name' in v ? String(v.name) : String(v)))
      .join('\n');
  }
  if (typeof value === 'object') {
    return Object.values(value as Record<string, unknown>)
      .filter((v) => v !== null && v !== '')
      .map(String)
      .join('\n');
  }
  return String(value);
}

/** 2026-12-02 09:20, in the site's time zone (not the browser's). */
function siteTime(iso: string): string {
  const timeZone =
    document.querySelector<HTMLMetaElement>('meta[name="site-time-zone"]')?.content ??
    'Asia/Shanghai';
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(new Date(iso));
}

/**
 * The editor's revision panel: who changed what when and why, a side-by-side comparison of
 * any revision with the newest one (the API's field-by-field diff), and restore with If-Match.
 */
export function startRevisions(
  root: HTMLElement,
  id: string,
  etag: () => string,
  showError: (err: unknown) => void,
) {
  const list = root.querySelector<HTMLOListElement>('[data-role="revision-list"]')!;
  const diff = root.querySelector<HTMLElement>('[data-role="revision-diff"]')!;
  const t = pageWords();
  const fieldNames = t.fields;
  const words = t.words;

  const compare = async (n: number, newest: number) => {
    const res = await api<{ data: { changes: Change[] } }>(
      'GET',
      `/articles/${id}/revisions/diff?from=${n}&to=${newest}`,
    );
    diff.replaceChildren();
    const changes = res.data.data.changes;
    if (changes.length === 0) {
      const p = document.createElement('p');
      p.textContent = t.same;
      diff.append(p);
    }
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const h of ['', `${t.then} #${n}`, `${t.now} #${newest}`]) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      head.append(th);
    }
    const tbody = table.createTBody();
    for (const ch of changes) {
      const row = tbody.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = fieldNames[ch.field] ?? ch.field;
      row.append(th);
      for (const v of [ch.from, ch.to]) {
        const td = row.insertCell();
        td.textContent =
          ch.field === 'status'
            ? (words[String(v)] ?? shown(v))
            : ch.field === 'publishedAt' && typeof v === 'string'
              ? siteTime(v)
              : shown(v);
      }
    }
    if (changes.length) diff.append(table);
    diff.hidden = false;
  };

  const restore = async (n: number) => {
    await api('POST', `/articles/${id}/revisions/${n}/restore`, {}, { 'If-Match': etag() });
    // The form shows the restored content and the new ETag once the page is fetched anew.
    window.location.reload();
  };

  const load = () =>
    api<{ data: Revision[] }>('GET', `/articles/${id}/revisions`).then((res) => {
      const rows = res.data.data;
      const newest = rows[0]?.number ?? 0;
      list.replaceChildren();
      for (const r of rows) {
        const li = document.createElement('li');
        const when = document.createElement('time');
        when.dateTime = r.createdAt;
        when.textContent = r.createdAt.slice(0, 16).replace('T', ' ');
        const what = document.createElement('span');
        what.textContent = ` #${r.number} ${r.actor ?? ''} ${words[r.reason ?? ''] ?? r.reason ?? ''} · ${r.title}`;
        li.append(when, what);
        if (r.number !== newest) {
          const cmp = document.createElement('button');
          cmp.type = 'button';
          cmp.textContent = t.compare;
          cmp.addEventListener('click', () => compare(r.number, newest).catch(showError));
          const back = document.createElement('button');
          back.type = 'button';
          back.textContent = t.restore;
          back.addEventListener('click', () => restore(r.number).catch(showError));
          li.append(' ', cmp, ' ', back);
        }
        list.append(li);
      }
    }, showError);
  void load();
  /** Called after each save, so the list shows the revision it made. */
  return { refresh: () => void load() };
}
