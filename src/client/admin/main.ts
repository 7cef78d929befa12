import { startEditor } from './editor';
import { startImport } from './import';
import { confirmForms } from './structure';
import { startPeoplePages } from './people';

function start() {
  startPeoplePages();
  const editor = document.querySelector<HTMLFormElement>('form[data-form="editor"]');
  if (editor) startEditor(editor);
  startImport();
  confirmForms(document);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
