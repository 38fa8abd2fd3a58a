// Formatting shared by the table and the job panel. Pure functions, no DOM.

export const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled', 'expired'];
export const OPEN = new Set(['queued', 'running']);
export const RETRYABLE = new Set(['failed', 'expired', 'canceled']);

/** Milliseconds as m:ss, or h:mm:ss from an hour on. */
export function duration(ms) {
  if (!(ms >= 0)) return '';
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * How long the job has taken: from its start (or, while queued, its submission) to its end, or
 * to now while it is open.
 */
export function elapsed(job, now = Date.now()) {
  const from = Date.parse(job.startedAt ?? job.createdAt);
  const to = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return Number.isNaN(from) ? '' : duration(Math.max(0, to - from));
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** A time of day for today's instants, with the date for older ones. */
export function when(instant) {
  if (!instant) return '';
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return '';
  return date.toDateString() === new Date().toDateString() ? TIME.format(date) : DATE_TIME.format(date);
}

/** A time with milliseconds, for timelines where changes come close together. */
export function preciseTime(instant) {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return '';
  return `${TIME.format(date)}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** Orders by this instant's field, newest first, then by id, so that equal instants keep one order. */
export function newestFirst(field) {
  return (a, b) => (b[field] ?? '').localeCompare(a[field] ?? '') || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);
}

export function percent(progress) {
  const value = Math.max(0, Math.min(1, Number(progress) || 0));
  return Math.round(value * 100);
}

/** The first characters of a job id: enough to tell jobs apart on screen. */
export function shortId(id) {
  return id && id.length > 13 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id ?? '';
}

/** Who a token says it is: a JWT's subject, or the public part of an API key. */
export function describeToken(token) {
  const parts = token.split('.');
  if (parts.length === 3) {
    try {
      const claims = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')));
      if (claims.sub) return String(claims.sub);
    } catch {
      // Not a JWT we can read: the server decides anyway.
    }
  }
  const key = /^(jp_[0-9a-f]+)_/.exec(token);
  return key ? `key ${key[1]}` : 'token';
}
