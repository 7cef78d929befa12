/**
 * Runs inside the embed frames (/embed/articles/:id, /embed/channels/:slug): tells the embedding
 * page how tall the content is, whenever that changes and whenever embed.js asks (it may load
 * after the frame, and miss the first report). The height is not secret, so any parent may hear
 * it; embed.js checks that the message comes from our origin. Inlined into the frame and allowed
 * by its hash, so a frame needs no second request before it can size itself.
 */

if (parent !== window) {
  const root = document.documentElement;
  let reported = -1;
  const report = (always: boolean) => {
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (always || height !== reported) {
      reported = height;
      parent.postMessage({ type: 'gazette:resize', height }, '*');
    }
  };
  new ResizeObserver(() => report(false)).observe(root);
  addEventListener('message', (e: MessageEvent<unknown>) => {
    const data = e.data as { type?: unknown } | null;
    if (e.source === parent && data && data.type === 'gazette:measure') report(true);
  });
}
