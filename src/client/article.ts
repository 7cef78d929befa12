/**
 * Reader-page enhancements, loaded as an external deferred script so the page needs no inline
 * code. Without it the page still works: the server-rendered (last flushed) view count shows
 * and the font-size buttons stay hidden.
 */

const fontSizes = ['large', 'medium', 'small'];
const storageKey = 'gazette:font-size';

function readStoredSize(): string | null {
  try {
    const value = window.localStorage.getItem(storageKey);
    return value && fontSizes.includes(value) ? value : null;
  } catch {
    // Storage can be blocked (private mode, strict settings); the default size is fine.
    return null;
  }
}

function storeSize(size: string): void {
  try {
    window.localStorage.setItem(storageKey, size);
  } catch {
    // Not remembering the choice is acceptable.
  }
}

/** One beacon per page load; the answer carries the live count, which replaces the flushed one. */
function countView(article: HTMLElement): void {
  const id = article.dataset.articleId;
  const target = document.querySelector<HTMLElement>('[data-views]');
  if (!id || !/^[1-9][0-9]*$/.test(id)) return;
  fetch(`/api/v1/articles/${id}/views`, {
    method: 'POST',
    credentials: 'omit',
    cache: 'no-store',
    keepalive: true,
  })
    .then((res) => (res.ok ? (res.json() as Promise<{ views?: unknown }>) : null))
    .then((data) => {
      const views = data?.views;
      if (target && typeof views === 'number' && Number.isFinite(views)) {
        target.textContent = String(views);
      }
    })
    .catch(() => {
      // Offline or counting unavailable: the server-rendered count stays.
    });
}

function setUpTools(article: HTMLElement): void {
  const tools = article.querySelector<HTMLElement>('.article-tools');
  if (!tools) return;
  const buttons = Array.from(tools.querySelectorAll<HTMLButtonElement>('button[data-font]'));
  const apply = (size: string) => {
    article.dataset.fontSize = size;
    for (const button of buttons) {
      button.setAttribute('aria-pressed', String(button.dataset.font === size));
    }
  };
  for (const button of buttons) {
    button.addEventListener('click', () => {
      const size = button.dataset.font ?? 'medium';
      apply(size);
      storeSize(size);
    });
  }
  tools.querySelector('button[data-print]')?.addEventListener('click', () => window.print());
  apply(readStoredSize() ?? 'medium');
  tools.hidden = false;
}

const article = document.querySelector<HTMLElement>('[data-article-id]');
if (article) {
  countView(article);
  setUpTools(article);
}
