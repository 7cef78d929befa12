import { fileKind, humanSize, uploadMedia } from './uploads';
import { problemMessage, words } from './words';

/** As the admin API shows it; mediaId is null for a link to a file elsewhere. */
interface Attachment {
  name: string;
  url: string;
  size: number | null;
  contentType?: string | null;
  mediaId: number | null;
}

/**
 * The attachment list of the editor: drop or pick files, each uploaded to media with a
 * progress bar, listed with type and size, removable. `value()` is what PATCH sends.
 */
export function startAttachments(root: HTMLElement, onChange: () => void) {
  const list = root.querySelector<HTMLUListElement>('[data-role="attachment-list"]')!;
  // The drop zone and picker only work with this script, so it makes them.
  const zone = document.createElement('p');
  zone.className = 'drop-zone';
  zone.dataset.role = 'drop-zone';
  const pick = document.createElement('label');
  pick.className = 'button';
  const picker = document.createElement('input');
  picker.type = 'file';
  picker.multiple = true;
  picker.className = 'visually-hidden';
  picker.dataset.role = 'attachment-files';
  pick.append(words().chooseFiles, picker);
  zone.append(`${words().dropFiles} `, pick);
  root.append(zone);
  let items: Attachment[] = JSON.parse(root.dataset.value ?? '[]') as Attachment[];
  let pending = 0;

  const render = () => {
    const rows = list.querySelectorAll('li:not([data-uploading])');
    for (const r of Array.from(rows)) r.remove();
    for (const [i, item] of items.entries()) {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = item.url;
      link.textContent = item.name;
      const meta = document.createElement('span');
      meta.className = 'file-meta';
      meta.textContent = [fileKind(item.name), humanSize(item.size)].filter(Boolean).join(' · ');
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = words().remove;
      remove.setAttribute('aria-label', `${remove.textContent} ${item.name}`);
      remove.addEventListener('click', () => {
        items = items.filter((_, j) => j !== i);
        render();
        onChange();
      });
      li.append(link, meta, remove);
      list.append(li);
    }
  };

  const upload = (file: File) => {
    const li = document.createElement('li');
    li.dataset.uploading = '';
    const name = document.createElement('span');
    name.textContent = file.name;
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute('aria-label', file.name);
    li.append(name, bar);
    list.append(li);
    pending += 1;
    uploadMedia(file, (f) => {
      bar.value = f;
    })
      .then(
        (m) => {
          li.remove();
          items.push({ mediaId: m.id, name: m.name, size: m.size, url: m.url });
          render();
          onChange();
        },
        (err: unknown) => {
          bar.remove();
          const msg = document.createElement('span');
          msg.className = 'error';
          msg.setAttribute('role', 'alert');
          msg.textContent = `${words().uploadFailed}: ${problemMessage(err)}`;
          const dismiss = document.createElement('button');
          dismiss.type = 'button';
          dismiss.textContent = words().remove;
          dismiss.addEventListener('click', () => li.remove());
          li.append(msg, dismiss);
        },
      )
      .finally(() => {
        pending -= 1;
      });
  };

  picker.addEventListener('change', () => {
    for (const f of Array.from(picker.files ?? [])) upload(f);
    picker.value = '';
  });
  for (const target of [root, zone]) {
    target.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
    target.addEventListener('dragleave', () => zone.classList.remove('over'));
  }
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    for (const f of Array.from(e.dataTransfer?.files ?? [])) upload(f);
  });
  render();

  return {
    value: () =>
      // Uploads go back by media id (the server takes URL, size and type from the upload).
      items.map((a) =>
        a.mediaId !== null
          ? { mediaId: a.mediaId, name: a.name }
          : { name: a.name, url: a.url, size: a.size, contentType: a.contentType ?? null },
      ),
    busy: () => pending > 0,
  };
}
