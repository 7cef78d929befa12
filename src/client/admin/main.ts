import { startEditor } from './editor';
import { startPeoplePages } from './people';

function start() {
  startPeoplePages();
  const editor = document.querySelector<HTMLFormElement>('form[data-form="editor"]');
  if (editor) startEditor(editor);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
