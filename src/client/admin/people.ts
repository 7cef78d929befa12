import { renderSVG } from 'uqr';

/**
 * The people and access pages' two enhancements; both pages work without them (the key is
 * also shown as text, the token can be selected by hand).
 */

/** The TOTP setup's QR code, drawn here from the otpauth URI, so no image service sees it. */
function drawQr(box: HTMLElement) {
  const uri = box.dataset.qr;
  if (!uri) return;
  const svg = new DOMParser().parseFromString(
    renderSVG(uri, { ecc: 'M', border: 2, pixelSize: 6 }),
    'image/svg+xml',
  ).documentElement;
  svg.setAttribute('aria-hidden', 'true');
  box.replaceChildren(document.importNode(svg, true));
}

/** A "copy" button for a secret shown once. */
function copyButton(button: HTMLButtonElement) {
  const source = document.querySelector<HTMLElement>(button.dataset.copy ?? '');
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener('click', () => {
    void navigator.clipboard.writeText(source.textContent?.trim() ?? '').then(() => {
      button.textContent = button.dataset.copied ?? label;
      setTimeout(() => (button.textContent = label), 2000);
    });
  });
}

export function startPeoplePages() {
  document.querySelectorAll<HTMLElement>('[data-qr]').forEach(drawQr);
  document.querySelectorAll<HTMLButtonElement>('button[data-copy]').forEach(copyButton);
}
