import { nowDate } from '../../lib/clock';
import { zonedDateTime } from '../../lib/time';
import { zonedLocalInstant } from './schedule-time';
import { api, problemOf } from './api';
import { startAttachments } from './attachments';
import { cleanPastedHtml } from './paste';
import { startRevisions } from './revisions';
import { uploadMedia } from './uploads';
import { problemMessage, words } from './words';

interface ArticleData {
  id: number;
  title: string;
  body: string;
  status: string;
  publishedAt: string | null;
  version: number;
  updatedAt: string;
}

/** The zone's name in the page's language, e.g. 中国标准时间 / China Standard Time. */
function zoneName(timeZone: string): string {
  return (
    new Intl.DateTimeFormat(document.documentElement.lang, { timeZone, timeZoneName: 'long' })
      .formatToParts(nowDate())
      .find((p) => p.type === 'timeZoneName')?.value ?? timeZone
  );
}

export function startEditor(form: HTMLFormElement) {
  const body = form.querySelector<HTMLElement>('[data-role="body"]')!;
  const error = form.querySelector<HTMLElement>('[data-role="error"]')!;
  const status = form.querySelector<HTMLElement>('[data-role="status"]')!;
  const conflict = form.querySelector<HTMLElement>('[data-role="conflict"]')!;
  const timeZone =
    document.querySelector<HTMLMetaElement>('meta[name="site-time-zone"]')?.content ??
    'Asia/Shanghai';
  // The picker's times are the site's wall clock, whatever the browser's zone: say which.
  const scheduleAt = form.querySelector<HTMLInputElement>('#f-schedule');
  const scheduleLabel = form.querySelector<HTMLLabelElement>('label[for="f-schedule"]');
  if (scheduleLabel) scheduleLabel.textContent += ` (${zoneName(timeZone)})`;
  const showSchedule = () => {
    if (scheduleAt && form.dataset.status === 'scheduled' && form.dataset.publishedAt) {
      scheduleAt.value = zonedDateTime(new Date(form.dataset.publishedAt), timeZone).replace(
        ' ',
        'T',
      );
    }
  };
  showSchedule();
  // The article's status badge, as in the list; made here (the worker bundle has a budget).
  let state: HTMLElement | null = null;
  if (form.dataset.id) {
    const line = document.createElement('p');
    line.className = 'article-state';
    state = document.createElement('span');
    state.dataset.role = 'state';
    line.append(`${words().fields.status}: `, state);
    form.querySelector('[data-role="status"]')!.before(line);
  }
  const showState = () => {
    if (!state) return;
    const s = form.dataset.status ?? 'draft';
    state.className = `badge badge-${s}`;
    state.textContent = words().words[s] ?? s;
  };
  showState();
  let dirty = false;
  let saving = false;
  let imagesUploading = 0;
  const revisionPanel = form.querySelector<HTMLElement>('[data-role="revisions"]');
  const revisions =
    revisionPanel && form.dataset.id
      ? startRevisions(
          revisionPanel,
          form.dataset.id,
          () => form.dataset.etag!,
          (err) => showError(err),
        )
      : null;
  const attachments = startAttachments(
    form.querySelector<HTMLElement>('[data-role="attachments"]')!,
    () => {
      dirty = true;
    },
  );
  const cover = form.querySelector<HTMLInputElement>('input[name="coverImageUrl"]')!;
  const coverPreview = form.querySelector<HTMLImageElement>('[data-role="cover-preview"]')!;
  const setCover = (url: string) => {
    cover.value = url;
    coverPreview.hidden = !url;
    if (url) coverPreview.src = url;
    else coverPreview.removeAttribute('src');
    dirty = true;
  };

  const showError = (err: unknown) => {
    const p = problemOf(err);
    if (p?.status === 412) {
      conflict.hidden = false;
      return;
    }
    error.textContent = problemMessage(err);
    error.hidden = false;
  };

  const fields = () => {
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const doc = {
      indexNumber: text('document.indexNumber') || null,
      documentNumber: text('document.documentNumber') || null,
      issuingBody: text('document.issuingBody') || null,
      dateWritten: text('document.dateWritten') || null,
    };
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
      document: Object.values(doc).some(Boolean) ? doc : null,
      coverImageUrl: text('coverImageUrl') || null,
      attachments: attachments.value(),
    };
  };

  const after = (res: { data: unknown; headers: Headers }) => {
    const etag = res.headers.get('ETag');
    if (etag) form.dataset.etag = etag;
    const a = (res.data as { data: ArticleData }).data;
    form.dataset.status = a.status;
    if (a.publishedAt) form.dataset.publishedAt = a.publishedAt;
    showSchedule();
    showState();
    dirty = false;
    revisions?.refresh();
    error.hidden = true;
    conflict.hidden = true;
    // The server's time of the save, in the site's zone (updatedAt carries its offset).
    status.textContent = `${status.dataset.saved ?? ''} ${a.updatedAt.slice(11, 19)}`;
    return a;
  };

  const save = async () => {
    // An upload still running would be lost from this save; autosave tries again later.
    if (saving || attachments.busy() || imagesUploading > 0) return;
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
    const value = form.querySelector<HTMLInputElement>('#f-schedule')!.value;
    if (!value) return;
    // The picker's value is the site's wall clock, whatever the browser's own zone.
    const at = zonedLocalInstant(value, timeZone);
    if (at) void transition('publish', { publishedAt: at.toISOString() });
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

  // Pasted images that are not on the web (a screenshot, Word's file:// or data: pictures)
  // are uploaded to media and take their media URL instead of being dropped.
  let pendingImages = 0;
  const uploadInto = (img: HTMLImageElement, file: File) => {
    imagesUploading += 1;
    uploadMedia(file)
      .finally(() => {
        imagesUploading -= 1;
      })
      .then(
        (m) => {
          img.src = m.url;
          img.removeAttribute('data-upload');
          dirty = true;
        },
        (err: unknown) => {
          img.remove();
          showError(err);
        },
      );
  };
  const dataUrlFile = (url: string, n: number): File | null => {
    const m = /^data:(image\/[a-z+.-]+);base64,(.*)$/is.exec(url);
    if (!m) return null;
    const bytes = Uint8Array.from(atob(m[2]!), (ch) => ch.charCodeAt(0));
    const ext = m[1]!.split('/')[1]!.replace('jpeg', 'jpg').replace(/\+.*/, '');
    return new File([bytes], `pasted-${n}.${ext}`, { type: m[1] });
  };
  body.addEventListener('paste', (event) => {
    const clip = event.clipboardData;
    if (!clip) return;
    const html = clip.getData('text/html');
    const files = Array.from(clip.files).filter((f) => f.type.startsWith('image/'));
    if (!html && files.length === 0) return;
    event.preventDefault();
    const uploads: { key: string; file: File }[] = [];
    let markup: string;
    if (html) {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      let fileIndex = 0;
      for (const img of Array.from(doc.querySelectorAll('img'))) {
        const src = img.getAttribute('src') ?? '';
        if (/^(?:https?:\/\/|\/(?!\/))/i.test(src)) continue;
        pendingImages += 1;
        const file = dataUrlFile(src, pendingImages) ?? files[fileIndex++] ?? null;
        if (!file) continue;
        const key = `u${pendingImages}`;
        img.removeAttribute('src');
        img.setAttribute('data-upload', key);
        uploads.push({ key, file });
      }
      markup = cleanPastedHtml(doc.documentElement.outerHTML);
    } else {
      markup = files
        .map((file) => {
          pendingImages += 1;
          const key = `u${pendingImages}`;
          uploads.push({ key, file });
          return `<p><img alt="" data-upload="${key}"></p>`;
        })
        .join('');
    }
    document.execCommand('insertHTML', false, markup);
    for (const { key, file } of uploads) {
      const img = body.querySelector<HTMLImageElement>(`img[data-upload="${key}"]`);
      if (img) uploadInto(img, file);
    }
    dirty = true;
  });

  // The cover's buttons only work with this script, so it makes them.
  const coverPick = document.createElement('label');
  coverPick.className = 'button';
  const coverFile = document.createElement('input');
  coverFile.type = 'file';
  coverFile.accept = 'image/*';
  coverFile.className = 'visually-hidden';
  coverFile.dataset.role = 'cover-file';
  coverPick.append(words().chooseImage, coverFile);
  const coverRemove = document.createElement('button');
  coverRemove.type = 'button';
  coverRemove.textContent = words().removeCover;
  form.querySelector('[data-role="cover"]')!.append(coverPick, coverRemove);
  coverFile.addEventListener('change', () => {
    const file = coverFile.files?.[0];
    coverFile.value = '';
    if (file) uploadMedia(file).then((m) => setCover(m.url), showError);
  });
  coverRemove.addEventListener('click', () => {
    setCover('');
  });

  // Ctrl+S (Cmd+S) saves, where the browser would save the page as a file.
  form.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
      event.preventDefault();
      void save();
    }
  });

  const formatButtons = Array.from(form.querySelectorAll<HTMLButtonElement>('[data-format]'));
  // The toolbar is one tab stop; the arrow keys, Home and End move within it (the ARIA
  // toolbar pattern), so Tab goes from the fields straight to the body.
  const focusFormat = (index: number) => {
    const n = formatButtons.length;
    const next = formatButtons[((index % n) + n) % n]!;
    for (const b of formatButtons) b.tabIndex = b === next ? 0 : -1;
    next.focus();
  };
  formatButtons.forEach((button, i) => {
    button.tabIndex = i === 0 ? 0 : -1;
    button.addEventListener('keydown', (event) => {
      const to =
        event.key === 'ArrowRight'
          ? i + 1
          : event.key === 'ArrowLeft'
            ? i - 1
            : event.key === 'Home'
              ? 0
              : event.key === 'End'
                ? formatButtons.length - 1
                : null;
      if (to === null) return;
      event.preventDefault();
      focusFormat(to);
    });
  });
  for (const button of formatButtons) {
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
