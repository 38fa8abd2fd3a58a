// jobpulse-client: follow Jobpulse jobs live (SSE, WebSocket or long-poll) and call its HTTP API.
// One ES module with no imports, for browsers and Node 20+. Types: jobpulse-client.d.ts.
//
// What it guarantees: a watch delivers a job's versions in increasing order and never the same
// version twice (an update is applied only when its version is greater than the one held), across
// reconnects, fallbacks between transports and stream-token renewals. A renewal opens the new
// connection before it closes the old one, so no change falls between them.

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'expired']);
const BATCH_FINISHED = new Set(['succeeded', 'failed', 'partial', 'canceled']);
const TRANSPORTS = ['sse', 'websocket', 'poll'];
const KINDS = {
  400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not-found', 409: 'conflict', 410: 'gone',
  413: 'too-large', 415: 'invalid', 422: 'invalid', 429: 'rate-limited', 503: 'unavailable',
};
/** Failures that another attempt, or another transport, will not cure. */
const FINAL_KINDS = new Set(['invalid', 'unauthorized', 'forbidden', 'not-found', 'gone']);
/** How long a WebSocket subscribe waits for its answer before it is sent again, and how many times. */
const SUBSCRIBE_WAIT = 2_000;
const SUBSCRIBE_ATTEMPTS = 3;

/** A failure, told in the API's words: built from its application/problem+json answer where there is one. */
export class JobpulseError extends Error {
  constructor(message, { status = 0, kind, type, title, detail, problem, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'JobpulseError';
    this.status = status;
    this.kind = kind || kindOf(status);
    this.type = type ?? problem?.type ?? null;
    this.title = title ?? problem?.title ?? null;
    this.detail = detail ?? problem?.detail ?? null;
    this.problem = problem ?? null;
  }

  /** The error for an HTTP answer that is not a success (its body is read here). */
  static async fromResponse(response, what) {
    let problem = null;
    try {
      const text = await response.text();
      problem = text ? JSON.parse(text) : null;
    } catch {
      problem = null;
    }
    if (problem !== null && typeof problem !== 'object') problem = null;
    const detail = problem?.detail ?? problem?.title ?? response.statusText ?? '';
    return new JobpulseError(`${what}: ${response.status}${detail ? ` ${detail}` : ''}`, { status: response.status, problem });
  }

  /** The error for a problem object received on a socket. */
  static fromProblem(problem, what) {
    const status = Number(problem?.status) || 0;
    return new JobpulseError(`${what}: ${status} ${problem?.detail ?? problem?.title ?? ''}`.trim(), {
      status, problem, kind: problem?.reason === 'too-slow' ? 'too-slow' : undefined,
    });
  }
}

function kindOf(status) {
  if (KINDS[status]) return KINDS[status];
  if (status >= 500) return 'server';
  if (status >= 400) return 'invalid';
  return 'network';
}

function networkError(what, cause) {
  return new JobpulseError(`${what}: ${cause?.message ?? cause ?? 'network failure'}`, { kind: 'network', cause });
}

/** Calls a user's handler; what it throws is reported as an uncaught error, and never breaks a stream. */
function call(handler, ...args) {
  if (typeof handler !== 'function') return;
  try {
    handler(...args);
  } catch (thrown) {
    if (typeof globalThis.reportError === 'function') globalThis.reportError(thrown);
    else queueMicrotask(() => { throw thrown; });
  }
}

/** A string equal to text that shares no memory with the larger string text may have been cut from. */
function copyOf(text) {
  return text.split('').join('');
}

/**
 * Reads text/event-stream as the HTML standard says: lines end with CRLF, LF or CR; `:` starts a
 * comment; `data` lines join with newlines; `id` (without NUL) sets the last event id, which an
 * event without data also moves; `retry` takes digits only. Events with no data are not dispatched.
 */
export class EventStreamParser {
  constructor(onEvent, onRetry) {
    this.onEvent = onEvent;
    this.onRetry = onRetry;
    this.buffer = '';
    this.data = [];
    this.eventType = '';
    this.lastEventId = '';
    this.idBuffer = '';
    this.started = false;
    this.trailingCR = false;
  }

  push(text) {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.trailingCR && text.startsWith('\n')) text = text.slice(1);
    this.trailingCR = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i));
      if (c === 13) {
        if (i + 1 === this.buffer.length) this.trailingCR = true;
        else if (this.buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    // The unfinished line, copied for the same reason as an event id: it waits for the next read.
    this.buffer = start === 0 ? this.buffer : copyOf(this.buffer.slice(start));
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data': this.data.push(value); break;
      case 'event': this.eventType = value; break;
      // A copy: the value is cut from the text read, which it would otherwise keep in memory as long
      // as it is the last event id (on a quiet stream, indefinitely; after a backlog, megabytes).
      case 'id': if (!value.includes('\0')) this.idBuffer = copyOf(value); break;
      case 'retry': if (/^\d+$/.test(value)) this.onRetry?.(Number(value)); break;
      default: break;
    }
  }

  dispatch() {
    this.lastEventId = this.idBuffer;
    const data = this.data;
    const type = this.eventType || 'message';
    this.data = [];
    this.eventType = '';
    if (data.length === 0) return;
    this.onEvent({ type, data: data.join('\n'), lastEventId: this.lastEventId });
  }
}

/** Creates a client of one Jobpulse server. */
export function createClient(options = {}) {
  return new JobpulseClient(options);
}

class JobpulseClient {
  constructor(options) {
    const origin = globalThis.location?.origin;
    const baseUrl = options.baseUrl ?? (origin && origin !== 'null' ? origin : undefined);
    if (!baseUrl) throw new TypeError('jobpulse-client: baseUrl is needed outside a page (e.g. http://localhost:8080)');
    this.baseUrl = String(baseUrl).replace(/\/+$/, '');
    this.auth = options.auth;
    this.streamTokenSource = options.streamToken;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new TypeError('jobpulse-client: no fetch; pass one as options.fetch');
    this.fetch = (...args) => fetchImpl.call(globalThis, ...args);
    this.WebSocket = options.WebSocket ?? globalThis.WebSocket;
    // A WebSocket given explicitly (such as Node's `ws`) is trusted to take headers as its third argument.
    this.socketTakesHeaders = options.WebSocket !== undefined;
    this.transports = (options.transports ?? TRANSPORTS).filter((name) => TRANSPORTS.includes(name));
    this.backoff = { initial: options.backoff?.initial, max: options.backoff?.max ?? 30_000 };
    this.idleTimeout = options.idleTimeout ?? 45_000;
    this.pollTimeout = options.pollTimeout ?? 30;
    this.renewBefore = options.renewBefore ?? 10_000;
  }

  // ---- requests ----

  async credential() {
    const auth = typeof this.auth === 'function' ? await this.auth() : this.auth;
    return auth ? String(auth) : null;
  }

  url(path, query) {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(one));
    }
    return url.toString();
  }

  async request(method, path, { query, body, headers = {}, signal } = {}) {
    const what = `${method} ${path}`;
    const credential = await this.credential();
    const sent = { Accept: 'application/json', ...headers };
    if (credential) sent.Authorization = `Bearer ${credential}`;
    if (body !== undefined) sent['Content-Type'] = 'application/json';
    let response;
    try {
      response = await this.fetch(this.url(path, query), {
        method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body), signal,
      });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw networkError(what, cause);
    }
    if (!response.ok) throw await JobpulseError.fromResponse(response, what);
    if (response.status === 204) return null;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  submitJob(job, { idempotencyKey, signal } = {}) {
    return this.request('POST', '/v1/jobs', {
      body: job, signal, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
    });
  }

  getJob(id, { signal } = {}) {
    return this.request('GET', `/v1/jobs/${encodeURIComponent(id)}`, { signal });
  }

  async listJobs(filter = {}, { signal } = {}) {
    const { status, statuses, type, types, ...rest } = filter;
    const page = await this.request('GET', '/v1/jobs', {
      signal, query: { ...rest, status: status ?? statuses, type: type ?? types },
    });
    return { ...page, jobs: page?.items ?? [] };
  }

  cancel(id, { reason, signal } = {}) {
    return this.request('POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`, { signal, body: reason ? { reason } : undefined });
  }

  retry(id, { reason, signal } = {}) {
    return this.request('POST', `/v1/jobs/${encodeURIComponent(id)}/retry`, { signal, body: reason ? { reason } : undefined });
  }

  report(id, report, { signal } = {}) {
    return this.request('POST', `/v1/jobs/${encodeURIComponent(id)}/reports`, { signal, body: report });
  }

  createStreamToken(scope = {}, { signal } = {}) {
    return this.request('POST', '/v1/stream-tokens', { signal, body: scope });
  }

  // ---- watching ----

  watchJob(id, handlers = {}) {
    return new Watch(this, new JobView(id, handlers), handlers).start();
  }

  watchJobs(filter = {}, handlers = {}) {
    return new Watch(this, new JobsView(this, normalizeFilter(filter), handlers), handlers).start();
  }

  /** Follows one batch: its aggregate version by version, and with `jobs: true` its jobs' changes too. */
  watchBatch(id, handlers = {}) {
    return new Watch(this, new BatchView(id, handlers), handlers).start();
  }

  getBatch(id, { signal } = {}) {
    return this.request('GET', `/v1/batches/${encodeURIComponent(id)}`, { signal });
  }

  /** The stream credential for a new connection: a fresh stream token when the application gives them, else the bearer. */
  async streamCredential(scope) {
    if (typeof this.streamTokenSource === 'function') {
      const answer = await this.streamTokenSource(scope);
      const token = typeof answer === 'string' ? answer : answer?.token;
      if (!token) throw new JobpulseError('streamToken gave no token', { kind: 'unauthorized', status: 401 });
      const expiresAt = typeof answer === 'object' && answer.expiresAt ? Date.parse(answer.expiresAt) : NaN;
      return { token, expiresAt: Number.isNaN(expiresAt) ? null : expiresAt };
    }
    const bearer = await this.credential();
    return bearer ? { bearer } : {};
  }
}

function normalizeFilter(filter) {
  const list = (value) => (value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map(String));
  const normalized = { types: list(filter.types ?? filter.type), statuses: list(filter.statuses ?? filter.status) };
  if (filter.tag) normalized.tag = String(filter.tag);
  if (filter.owner) normalized.owner = String(filter.owner);
  return normalized;
}

/** One job's state on the client: versions applied in order, repeats dropped. */
class JobView {
  constructor(id, handlers) {
    this.id = String(id);
    this.handlers = handlers;
    this.job = null;
    this.version = 0;
    this.single = true;
  }

  get scope() { return { jobs: [this.id] }; }

  ssePath() { return { path: `/v1/jobs/${encodeURIComponent(this.id)}/stream`, query: {} }; }

  subscribeMessage(id, resumeFrom) {
    const message = { type: 'subscribe', id, job: this.id };
    if (resumeFrom) message.lastVersion = Number(resumeFrom);
    return message;
  }

  /** Where a new connection resumes: the version held (a job stream's event ids are its versions). */
  resumeFrom() { return this.version > 0 ? String(this.version) : null; }

  apply(update) {
    if (!update || update.jobId !== this.id || !(update.version > this.version)) return false;
    this.version = update.version;
    this.job = update.job;
    call(this.handlers.onJob, update.job, update);
    return true;
  }

  get terminal() { return this.job !== null && TERMINAL.has(this.job.status); }

  /** What onEnd is told. */
  get current() { return this.job; }

  get pollable() { return true; }

  opened() {}
}

/**
 * One batch on the client: its versions applied in order, repeats dropped; with `jobs`, its jobs'
 * latest states too (they come live, without versions of the batch's own, and are applied by job version).
 */
class BatchView {
  constructor(id, handlers) {
    this.id = String(id);
    this.handlers = handlers;
    this.withJobs = handlers.jobs === true;
    this.batch = null;
    this.version = 0;
    this.jobVersions = new Map();
    this.single = true;
  }

  // A batch's stream takes only a stream token for all of the owner's jobs.
  get scope() { return { filter: {} }; }

  ssePath() { return { path: `/v1/batches/${encodeURIComponent(this.id)}/stream`, query: this.withJobs ? { jobs: true } : {} }; }

  subscribeMessage(id, resumeFrom) {
    const message = { type: 'subscribe', id, batch: this.id };
    if (this.withJobs) message.jobs = true;
    if (resumeFrom) message.lastVersion = Number(resumeFrom);
    return message;
  }

  /** Where a new connection resumes: the batch's version held (its stream's event ids). */
  resumeFrom() { return this.version > 0 ? String(this.version) : null; }

  apply(update, kind) {
    if (kind === 'job' || (update && update.jobId && !update.batchId)) {
      if (!update?.job || !(update.version > (this.jobVersions.get(update.jobId) ?? 0))) return false;
      this.jobVersions.set(update.jobId, update.version);
      call(this.handlers.onJob, update.job, update);
      return true;
    }
    if (!update || update.batchId !== this.id || !(update.version > this.version)) return false;
    this.version = update.version;
    this.batch = update.batch;
    call(this.handlers.onChange, update.batch, update);
    return true;
  }

  get terminal() { return this.batch !== null && BATCH_FINISHED.has(this.batch.status); }

  get current() { return this.batch; }

  get pollable() { return false; }

  opened() {}
}

/** A filtered set of jobs: updates and (with a reading credential) the list, merged by version. */
class JobsView {
  constructor(client, filter, handlers) {
    this.client = client;
    this.filter = filter;
    this.handlers = handlers;
    this.jobs = new Map();
    this.versions = new Map();
    this.single = false;
    this.listed = false;
    this.reading = null;
  }

  get scope() { return { filter: { ...this.filter } }; }

  ssePath() {
    const { types, statuses, tag, owner } = this.filter;
    return { path: '/v1/stream', query: { type: types, status: statuses, tag, owner } };
  }

  subscribeMessage(id, resumeFrom) {
    const message = { type: 'subscribe', id, filter: this.filter };
    if (resumeFrom) message.cursor = resumeFrom;
    return message;
  }

  matches(job) {
    return this.filter.statuses.length === 0 || this.filter.statuses.includes(job.status);
  }

  apply(update, { quiet = false } = {}) {
    const job = update?.job;
    if (!job || !(update.version > (this.versions.get(update.jobId) ?? 0))) return false;
    this.versions.set(update.jobId, update.version);
    if (this.matches(job)) this.jobs.set(update.jobId, job);
    else this.jobs.delete(update.jobId);
    if (!quiet) {
      call(this.handlers.onUpdate, update);
      call(this.handlers.onJobs, this.list(), update);
    }
    return true;
  }

  list() {
    return [...this.jobs.values()].sort((a, b) =>
      (a.createdAt === b.createdAt ? 0 : a.createdAt < b.createdAt ? 1 : -1) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  /** Once a stream is open (first time, or after a reset): reads GET /v1/jobs and merges it by version. */
  opened({ reset = false, signal } = {}) {
    if ((this.listed && !reset) || this.reading) return;
    this.listed = true;
    const seenBefore = new Map(this.versions);
    this.reading = (async () => {
      if (!(await this.client.credential())) return;
      const { types, statuses, tag, owner } = this.filter;
      const page = await this.client.listJobs({ type: types, status: statuses, tag, owner, limit: 100 }, { signal });
      const listedIds = new Set(page.jobs.map((job) => job.id));
      if (reset) {
        // Jobs no longer listed and not changed since the reset have left the set.
        for (const [id, version] of seenBefore) {
          if (!listedIds.has(id) && this.versions.get(id) === version) this.jobs.delete(id);
        }
      }
      for (const job of page.jobs) {
        this.apply({ jobId: job.id, version: job.version, status: job.status, snapshot: true, changed: [], job }, { quiet: true });
      }
      call(this.handlers.onJobs, this.list(), null);
    })().catch((error) => {
      if (!signal?.aborted) call(this.handlers.onError, error instanceof JobpulseError ? error : networkError('GET /v1/jobs', error));
    }).finally(() => { this.reading = null; });
  }

  get terminal() { return false; }

  get current() { return null; }

  get pollable() { return false; }
}

/**
 * One watch: connects with the preferred transport, falls back to the next when one cannot
 * connect (for reasons other than 401/403/404), reconnects with capped exponential backoff and
 * jitter, resumes where it was, renews expiring credentials with a new connection first.
 */
class Watch {
  constructor(client, view, handlers) {
    this.client = client;
    this.view = view;
    this.handlers = handlers;
    this.state = null;
    this.closed = false;
    this.connection = null;
    this.pending = null;
    this.transportIndex = 0;
    this.failures = 0;
    this.serverRetry = null;
    this.timer = null;
    this.unauthorizedRetried = false;
    this.abort = new AbortController();
    this.resume = null;
    this.hasOpened = false;
  }

  start() {
    this.available = this.client.transports.filter((name) => this.usable(name));
    this.setState('connecting');
    if (this.available.length === 0) {
      this.fail(new JobpulseError(`no usable transport among ${this.client.transports.join(', ')}`, { kind: 'unsupported' }));
    } else {
      this.connect();
    }
    const watch = this;
    return {
      close: () => watch.close(),
      get state() { return watch.state; },
    };
  }

  usable(name) {
    const client = this.client;
    if (name === 'sse') return true;
    if (name === 'websocket') {
      return typeof client.WebSocket === 'function' && (typeof client.streamTokenSource === 'function'
        || (client.socketTakesHeaders && client.auth !== undefined && client.auth !== null));
    }
    return name === 'poll' && this.view.pollable && client.auth !== undefined && client.auth !== null;
  }

  /** Tells a new state, or the same one again with the failure that made the watch try again. */
  setState(state, detail) {
    if (this.state === state && !detail?.error) return;
    this.state = state;
    call(this.handlers.onState, state, detail);
  }

  /** Opens a connection with the current transport; `renewal` keeps the current one until the new one is open. */
  connect({ renewal = false } = {}) {
    if (this.closed) return;
    const name = this.available[this.transportIndex];
    const Transport = name === 'sse' ? SseConnection : name === 'websocket' ? SocketConnection : PollConnection;
    const resumeFrom = this.resumeFrom();
    const connection = new Transport(this, resumeFrom);
    if (renewal) this.pending = connection;
    else this.replace(connection);
    connection.open().catch((error) => this.connectionFailed(connection, error));
  }

  resumeFrom() {
    return this.view.single ? this.view.resumeFrom() : (this.connection?.lastEventId || this.resume || null);
  }

  replace(connection) {
    const old = this.connection;
    this.connection = connection;
    if (this.pending === connection) this.pending = null;
    if (old && old !== connection) this.forget(old);
  }

  /** Closes a connection, keeping where it was so that the next one resumes from there. */
  forget(connection) {
    this.resume = connection.lastEventId || this.resume;
    if (this.connection === connection) this.connection = null;
    connection.close();
  }

  // Callbacks from connections.

  opened(connection) {
    if (connection !== this.connection && connection !== this.pending) return;
    if (connection === this.pending) this.replace(connection);
    this.failures = 0;
    this.hasOpened = true;
    this.unauthorizedRetried = false;
    this.setState('open');
    this.view.opened({ signal: this.abort.signal });
  }

  received(connection, update, kind) {
    if (this.closed || (connection !== this.connection && connection !== this.pending)) return;
    this.view.apply(update, kind);
  }

  reset(connection) {
    if (this.closed || connection !== this.connection) return;
    this.view.opened({ reset: true, signal: this.abort.signal });
  }

  /** The credential of a connection is about to expire: open a new one, which replaces it once open. */
  expiring(connection) {
    if (this.closed || connection !== this.connection || this.pending) return;
    if (connection.renew?.()) return;
    this.connect({ renewal: true });
  }

  /** The stream ended normally: a job stream after the terminal state, or a connection whose credential ran out. */
  ended(connection) {
    if (this.closed) return;
    if (connection === this.pending) {
      this.pending = null;
      return;
    }
    if (connection !== this.connection) return;
    if (this.view.single && this.view.terminal) {
      call(this.handlers.onEnd, this.view.current);
      this.close();
      return;
    }
    if (this.pending) return; // its replacement is on its way
    this.forget(connection);
    this.retryLater(null, 0);
  }

  connectionFailed(connection, error) {
    if (this.closed || this.abort.signal.aborted) return;
    if (!(error instanceof JobpulseError)) error = networkError('connection', error);
    const current = connection === this.connection;
    if (!current && connection !== this.pending) return;
    if (connection === this.pending) this.pending = null;
    if (error.kind === 'unauthorized' && !this.unauthorizedRetried) {
      // A fresh credential, once, before telling the caller.
      this.unauthorizedRetried = true;
      if (current) this.forget(connection);
      this.connect({ renewal: !current && this.connection !== null });
      return;
    }
    if (FINAL_KINDS.has(error.kind)) {
      this.fail(error);
      return;
    }
    if (!current) return; // a renewal that failed: the current connection goes on, and is replaced when it ends
    this.forget(connection);
    if (!connection.wasOpen && this.transportIndex + 1 < this.available.length) {
      this.transportIndex += 1;
      this.setState(this.hasOpened ? 'reconnecting' : 'connecting', { error });
      this.connect();
      return;
    }
    if (!connection.wasOpen) this.transportIndex = 0;
    this.retryLater(error);
  }

  retryLater(error, attempts = this.failures) {
    this.failures = attempts + 1;
    this.setState(this.hasOpened ? 'reconnecting' : 'connecting', error ? { error } : undefined);
    const base = this.client.backoff.initial ?? this.serverRetry ?? 1000;
    const ceiling = Math.min(this.client.backoff.max, base * 2 ** Math.min(this.failures - 1, 16));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = null; this.connect(); }, delay);
  }

  fail(error) {
    call(this.handlers.onError, error);
    this.close();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.abort.abort();
    this.connection?.close();
    this.pending?.close();
    this.connection = null;
    this.pending = null;
    this.setState('closed');
  }
}

/** What every transport's connection shares: its own abort signal, credential and expiry timer. */
class Connection {
  constructor(watch, resumeFrom) {
    this.watch = watch;
    this.client = watch.client;
    this.view = watch.view;
    this.lastEventId = resumeFrom;
    this.abort = new AbortController();
    this.closed = false;
    this.wasOpen = false;
    this.renewTimer = null;
  }

  /** Schedules a renewal before the credential's known expiry, in case no notice comes (at half its life at the earliest). */
  expiresAt(at) {
    clearTimeout(this.renewTimer);
    if (!at) return;
    const left = at - Date.now();
    const delay = Math.max(left - this.client.renewBefore, left / 2, 0);
    this.renewTimer = setTimeout(() => this.watch.expiring(this), delay);
  }

  markOpen() {
    this.wasOpen = true;
    this.watch.opened(this);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.renewTimer);
    this.abort.abort();
  }
}

/** Server-Sent Events over fetch, so that it can send headers, read answers' status and choose its backoff. */
class SseConnection extends Connection {
  async open() {
    const credential = await this.client.streamCredential(this.view.scope);
    if (this.closed) return;
    const { path, query } = this.view.ssePath();
    const headers = { Accept: 'text/event-stream' };
    const fullQuery = { ...query };
    if (credential.token) {
      // No header but the safelisted Accept: a cross-origin page needs no preflight.
      fullQuery.token = credential.token;
      if (this.lastEventId) fullQuery.lastEventId = this.lastEventId;
    } else {
      if (credential.bearer) headers.Authorization = `Bearer ${credential.bearer}`;
      if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
    }
    const what = `GET ${path}`;
    let response;
    // A server that never answers counts as silent, like a stream that stops.
    const unanswered = setTimeout(() => this.abort.abort(), this.client.idleTimeout);
    try {
      response = await this.client.fetch(this.client.url(path, fullQuery), { headers, signal: this.abort.signal, cache: 'no-store' });
    } catch (cause) {
      if (this.closed) return;
      throw networkError(what, cause);
    } finally {
      clearTimeout(unanswered);
    }
    if (this.closed) {
      response.body?.cancel().catch(() => {});
      return;
    }
    if (response.status === 204) {
      // The job had ended at the version we hold.
      this.watch.ended(this);
      return;
    }
    if (!response.ok) throw await JobpulseError.fromResponse(response, what);
    if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream') || !response.body) {
      response.body?.cancel().catch(() => {});
      throw new JobpulseError(`${what}: not an event stream`, { kind: 'network', status: response.status });
    }
    this.expiresAt(credential.expiresAt);
    this.markOpen();
    await this.read(response.body);
  }

  async read(body) {
    const parser = new EventStreamParser((event) => this.event(event), (retry) => { this.watch.serverRetry = retry; });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let idle = null;
    const watchdog = () => {
      clearTimeout(idle);
      idle = setTimeout(() => this.abort.abort(), this.client.idleTimeout);
    };
    const onAbort = () => reader.cancel().catch(() => {});
    this.abort.signal.addEventListener('abort', onAbort);
    try {
      watchdog();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        watchdog();
        parser.push(decoder.decode(value, { stream: true }));
        if (parser.lastEventId) this.lastEventId = parser.lastEventId;
      }
    } catch (cause) {
      if (this.closed) return;
      throw networkError('event stream', cause);
    } finally {
      clearTimeout(idle);
      this.abort.signal.removeEventListener('abort', onAbort);
    }
    if (this.closed) return;
    if (this.abort.signal.aborted) throw networkError('event stream', 'no data within the idle timeout');
    this.closed = true;
    clearTimeout(this.renewTimer);
    this.watch.ended(this);
  }

  event({ type, data, lastEventId }) {
    if (this.closed) return;
    let payload;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    if (type === 'status' || type === 'progress' || type === 'message' || type === 'batch' || type === 'job') {
      this.lastEventId = lastEventId || this.lastEventId;
      this.watch.received(this, payload, type);
    } else if (type === 'reset') {
      this.lastEventId = lastEventId || this.lastEventId;
      this.watch.reset(this);
    } else if (type === 'token-expiring') {
      this.watch.expiring(this);
    }
  }
}

/** One WebSocket per watch, with one subscription; renewed in place with a fresh stream token. */
class SocketConnection extends Connection {
  async open() {
    const credential = await this.client.streamCredential(this.view.scope);
    if (this.closed) return;
    const url = new URL(this.client.url('/v1/ws', credential.token ? { token: credential.token } : {}));
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const WebSocketImpl = this.client.WebSocket;
    await new Promise((resolve, reject) => {
      let socket;
      try {
        socket = credential.token || !credential.bearer
          ? new WebSocketImpl(url.toString())
          : new WebSocketImpl(url.toString(), [], { headers: { Authorization: `Bearer ${credential.bearer}` } });
      } catch (cause) {
        reject(networkError('GET /v1/ws', cause));
        return;
      }
      this.socket = socket;
      this.resolve = resolve;
      this.reject = reject;
      const onAbort = () => { try { socket.close(1000, 'closed'); } catch { /* already closing */ } resolve(); };
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      socket.onopen = () => this.subscribe();
      socket.onmessage = (event) => this.message(event.data, credential);
      socket.onerror = () => {};
      socket.onclose = (event) => {
        this.abort.signal.removeEventListener('abort', onAbort);
        clearTimeout(this.renewTimer);
        clearTimeout(this.subscribeTimer);
        this.closedBy(event, resolve, reject);
      };
    });
  }

  /**
   * Subscribes, and again under a new id when no answer comes within SUBSCRIBE_WAIT: servers before
   * the socket handshake moved onto its connection's event loop could drop a message sent the
   * moment a socket opened with a stream token. An answer to an earlier attempt that comes late is
   * unsubscribed.
   */
  subscribe() {
    if (this.closed) return;
    this.attempts = (this.attempts ?? 0) + 1;
    if (this.attempts > SUBSCRIBE_ATTEMPTS) {
      try { this.socket.close(4000, 'no answer'); } catch { /* closing */ }
      return;
    }
    this.subscription = `s${this.attempts}`;
    this.socket.send(JSON.stringify(this.view.subscribeMessage(this.subscription, this.lastEventId)));
    this.subscribeTimer = setTimeout(() => this.subscribe(), SUBSCRIBE_WAIT);
  }

  closedBy(event, resolve, reject) {
    if (this.closed) {
      resolve();
      return;
    }
    this.closed = true;
    const reason = String(event.reason ?? '');
    if (this.ended) {
      resolve();
      this.watch.ended(this);
    } else if (event.code === 1008 && ['unauthorized', 'forbidden'].includes(reason)) {
      reject(new JobpulseError(`GET /v1/ws: closed, ${reason}`, { kind: reason, status: reason === 'unauthorized' ? 401 : 403 }));
    } else if (event.code === 1008 && reason === 'token-expired') {
      resolve();
      this.watch.ended(this);
    } else {
      reject(networkError('GET /v1/ws', `closed with ${event.code}${reason ? ` ${reason}` : ''}`));
    }
  }

  message(data, credential) {
    if (this.closed) return;
    let message;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    switch (message.type) {
      case 'subscribed':
        if (message.id !== this.subscription) {
          this.socket.send(JSON.stringify({ type: 'unsubscribe', id: message.id }));
          break;
        }
        clearTimeout(this.subscribeTimer);
        if (message.eventId && !this.view.single) this.lastEventId = message.eventId;
        this.expiresAt(credential.expiresAt);
        this.markOpen();
        if (message.reset) this.watch.reset(this);
        break;
      case 'update':
        if (message.subscription !== this.subscription) break;
        this.lastEventId = message.eventId ?? this.lastEventId;
        this.watch.received(this, message.update, message.event);
        break;
      case 'end':
        if (message.id === this.subscription) {
          this.ended = true;
          this.socket.close(1000, 'ended');
        }
        break;
      case 'token-expiring':
        this.watch.expiring(this);
        break;
      case 'renewed':
        this.renewing = false;
        this.expiresAt(Date.parse(message.expiresAt) || null);
        break;
      case 'error': {
        const error = JobpulseError.fromProblem(message.problem, message.id === this.subscription ? 'subscribe' : 'socket');
        if (message.id === this.subscription) {
          clearTimeout(this.subscribeTimer);
          this.closed = true;
          try { this.socket.close(1000, 'failed'); } catch { /* closing */ }
          this.reject(error);
        } else if (message.id && message.id.startsWith('r')) {
          // A refused renewal: a new connection replaces this one instead.
          this.renewing = false;
          this.renewable = false;
          this.watch.expiring(this);
        }
        break;
      }
      default:
        break;
    }
  }

  close() {
    clearTimeout(this.subscribeTimer);
    super.close();
  }

  /**
   * Renews the socket's stream token in place with a fresh one (true), or says that a new
   * connection must replace it (false): without stream tokens, or once a renewal was refused.
   */
  renew() {
    if (this.renewable === false || typeof this.client.streamTokenSource !== 'function') return false;
    if (this.renewing) return true; // the notice and the timer both asked
    this.renewing = true;
    this.client.streamCredential(this.view.scope).then((fresh) => {
      if (this.closed) return;
      this.renewals = (this.renewals ?? 0) + 1;
      this.socket.send(JSON.stringify({ type: 'renew', id: `r${this.renewals}`, token: fresh.token }));
    }, () => {
      this.renewing = false;
      this.renewable = false;
      this.watch.expiring(this);
    });
    return true;
  }
}

/** Long-poll: GET /v1/jobs/{id}?waitForVersionAfter=N, for one job, with a reading credential. */
class PollConnection extends Connection {
  async open() {
    const path = `/v1/jobs/${encodeURIComponent(this.view.id)}`;
    while (!this.closed) {
      const after = this.view.version;
      let job;
      try {
        job = await this.client.request('GET', path, {
          query: { waitForVersionAfter: after, timeout: `${this.client.pollTimeout}s` }, signal: this.abort.signal,
        });
      } catch (error) {
        if (this.closed) return;
        throw error;
      }
      if (this.closed) return;
      if (!this.wasOpen) this.markOpen();
      if (job && job.version > after) {
        const previous = this.view.job;
        this.watch.received(this, {
          jobId: job.id, version: job.version, status: job.status, previousStatus: previous?.status ?? null,
          snapshot: job.version !== after + 1, cause: null,
          changed: previous ? Object.keys(job).filter((key) => JSON.stringify(job[key]) !== JSON.stringify(previous[key])) : [],
          job,
        });
      }
      if (this.view.terminal) {
        this.closed = true;
        this.watch.ended(this);
        return;
      }
    }
  }
}
