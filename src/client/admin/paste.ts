/**
 * Cleans HTML pasted from Word or WPS before it enters the editor: Office's namespaced tags
 * (o:p, w:*), conditional comments, mso- styles, classes and spans go; tables, lists, headings,
 * bold and links stay. The server's sanitizer (src/lib/sanitize.ts) is still the single
 * source of truth on save; this only keeps the editor from showing what would be dropped.
 */
const dropWithContent = new Set(['STYLE', 'SCRIPT', 'META', 'LINK', 'TITLE', 'XML', 'HEAD']);
const keepAttributes: Record<string, string[]> = {
  A: ['href'],
  // data-upload marks a pasted picture the editor is uploading (src/client/admin/editor.ts).
  IMG: ['src', 'alt', 'data-upload'],
  TD: ['colspan', 'rowspan'],
  TH: ['colspan', 'rowspan', 'scope'],
};

function unwrap(el: Element) {
  el.replaceWith(...Array.from(el.childNodes));
}

function clean(node: Node) {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === Node.COMMENT_NODE) {
      child.remove();
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue;
    const el = child as Element;
    const tag = el.tagName.toUpperCase();
    if (dropWithContent.has(tag)) {
      el.remove();
      continue;
    }
    clean(el);
    // Office namespaces (o:p, w:sdt, v:shape) and presentational wrappers carry no meaning.
    if (tag.includes(':') || tag === 'SPAN' || tag === 'FONT' || tag === 'DIV') {
      unwrap(el);
      continue;
    }
    if (tag === 'B') {
      const strong = document.createElement('strong');
      strong.append(...Array.from(el.childNodes));
      el.replaceWith(strong);
      continue;
    }
    // Only web links and images: Word's file:// images and javascript: links go.
    const url =
      tag === 'A' ? el.getAttribute('href') : tag === 'IMG' ? el.getAttribute('src') : null;
    if (
      url !== null &&
      !/^(?:https?:\/\/|\/(?!\/))/i.test(url) &&
      !el.hasAttribute('data-upload')
    ) {
      if (tag === 'IMG') el.remove();
      else unwrap(el);
      continue;
    }
    const keep = keepAttributes[tag] ?? [];
    for (const attr of Array.from(el.attributes)) {
      if (!keep.includes(attr.name.toLowerCase())) el.removeAttribute(attr.name);
    }
    // Word's empty paragraphs (<p>&nbsp;</p>) become nothing.
    if (tag === 'P' && !el.textContent?.replace(/\u00a0/g, '').trim() && !el.querySelector('img')) {
      el.remove();
    }
  }
}

export function cleanPastedHtml(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  clean(doc.body);
  return doc.body.innerHTML;
}
