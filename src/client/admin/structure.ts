/**
 * The channels and tags pages work as plain forms; this only asks before a form that cannot be
 * undone (delete, merge) is sent. Its question is the form's data-confirm, in the page's language.
 */
export function confirmForms(root: ParentNode) {
  for (const form of Array.from(root.querySelectorAll<HTMLFormElement>('form[data-confirm]'))) {
    form.addEventListener('submit', (event: SubmitEvent) => {
      if (!window.confirm(form.dataset.confirm ?? '')) event.preventDefault();
    });
  }
}
