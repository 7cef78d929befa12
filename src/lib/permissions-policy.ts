/**
 * Powerful features no Gazette page uses, refused for the page and anything it frames. Fullscreen
 * and autoplay stay allowed: the video players of VIDEO_EMBED_HOSTS need them. On its own (no
 * imports) because scripts/build-assets.ts writes it into the asset server's _headers too.
 */
export const permissionsPolicy =
  'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), browsing-topics=()';
