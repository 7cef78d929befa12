import { startEditor } from './editor';
import { startImport } from './import';
import { startPeoplePages } from './people';

function start() {
  startPeoplePages();
  const editor = document.querySelector<HTMLFormElement>('form[data-form="editor"]');
  if (editor) startEditor(editor);
  startImport();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
