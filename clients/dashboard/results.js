// Finds what a job's result shows: URLs of images and videos, wherever the result keeps them
// (`url`, `image_url`, Replicate's `output` list, nested objects...).

const IMAGE = /\.(png|jpe?g|gif|webp|avif|bmp|svg)$/i;
const VIDEO = /\.(mp4|webm|mov|m4v|ogv)$/i;
const MAX_DEPTH = 6;
const MAX_MEDIA = 12;

/** The media of a result, in the order found: [{url, kind: 'image' | 'video'}]. */
export function mediaOf(result) {
  const found = [];
  const seen = new Set();
  const visit = (value, hint, depth) => {
    if (found.length >= MAX_MEDIA || depth > MAX_DEPTH || value == null) return;
    if (typeof value === 'string') {
      const kind = kindOf(value, hint);
      if (kind && !seen.has(value)) {
        seen.add(value);
        found.push({ url: value, kind });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item) => visit(item, hint, depth + 1));
    } else if (typeof value === 'object') {
      // A generic key ({"video": {"url": ...}}) keeps the hint of the key above it.
      Object.entries(value).forEach(([key, item]) => visit(item, /^(url|uri|src|href|link)$/i.test(key) ? hint : key, depth + 1));
    }
  };
  visit(result, '', 0);
  return found;
}

function kindOf(value, hint) {
  if (/^data:image\//i.test(value)) return 'image';
  if (/^data:video\//i.test(value)) return 'video';
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (IMAGE.test(url.pathname)) return 'image';
  if (VIDEO.test(url.pathname)) return 'video';
  // A URL without an extension counts when its key says what it is (image_url, video, thumbnail...).
  if (/video/i.test(hint)) return 'video';
  if (/image|img|thumb|picture|photo/i.test(hint)) return 'image';
  return null;
}

/**
 * A preview element of fixed size: an image, or a muted video showing its first frame. A file
 * that does not load leaves the same box with a mark in it, so nothing moves.
 */
export function preview(media, className) {
  const box = document.createElement('a');
  box.className = `media ${className}`;
  box.href = media.url;
  box.target = '_blank';
  box.rel = 'noopener noreferrer';
  box.title = media.url;
  box.dataset.kind = media.kind;
  const element = document.createElement(media.kind === 'video' ? 'video' : 'img');
  if (media.kind === 'video') {
    element.muted = true;
    element.preload = 'metadata';
    element.playsInline = true;
  } else {
    element.alt = 'result image';
    element.loading = 'lazy';
    element.decoding = 'async';
  }
  element.addEventListener('error', () => box.classList.add('broken'), { once: true });
  element.src = media.url;
  box.append(element);
  return box;
}
