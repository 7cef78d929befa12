import { api } from './api';
import { startEditor } from './editor';
import { problemMessage } from './words';

/** The change-password form: posts to the admin API, then goes on to the article list. */
function passwordForm(form: HTMLFormElement) {
  const error = form.querySelector<HTMLElement>('[data-role="error"]')!;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const repeat = form.querySelector<HTMLInputElement>('[name="repeatPassword"]')!;
    if (data.get('newPassword') !== data.get('repeatPassword')) {
      error.textContent = repeat.dataset.differ ?? '';
      error.hidden = false;
      return;
    }
    api('POST', '/me/password', {
      currentPassword: data.get('currentPassword'),
      newPassword: data.get('newPassword'),
    }).then(
      () => window.location.assign('/admin'),
      (err: unknown) => {
        error.textContent = problemMessage(err);
        error.hidden = false;
      },
    );
  });
}

function start() {
  const form = document.querySelector<HTMLFormElement>('form[data-form="change-password"]');
  if (form) passwordForm(form);
  const editor = document.querySelector<HTMLFormElement>('form[data-form="editor"]');
  if (editor) startEditor(editor);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
