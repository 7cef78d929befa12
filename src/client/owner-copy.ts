/**
 * The copy buttons of the site owner's embed page (/embed): a button[data-copy] copies the text
 * of the element it names and says data-done for a moment. Inlined into the page and allowed by
 * its hash, the page's only inline script.
 */

document.addEventListener('click', (e) => {
  const button = (e.target as Element | null)?.closest?.<HTMLButtonElement>('button[data-copy]');
  if (!button) return;
  const text = document.getElementById(button.dataset.copy ?? '')?.textContent ?? '';
  navigator.clipboard.writeText(text).then(
    () => {
      const label = button.textContent;
      button.textContent = button.dataset.done ?? label;
      setTimeout(() => (button.textContent = label), 1500);
    },
    // No clipboard (permission refused, insecure context): the snippet stays selectable.
    () => {},
  );
});
