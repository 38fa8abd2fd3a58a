// Types of jobpulse-client (jobpulse-client.js). Written by hand; checked by test/types.

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'expired';

/** A job's full state, as GET /v1/jobs/{id} answers it (docs/lifecycle.md). */
export interface Job {
  id: string;
  type: string;
  status: JobStatus;
  version: number;
  progress?: number;
  message?: string | null;
  tags?: string[];
  attempt?: number;
  createdAt?: string;
  updatedAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  result?: unknown;
  error?: { code: string; message?: string; retryable?: boolean } | null;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

/** One change of a job, the same on every transport (docs/streaming.md). */
export interface JobUpdate {
  jobId: string;
  version: number;
  status: JobStatus;
  previousStatus?: JobStatus | null;
  /** true: the job's current state instead of changes that were not retained (or, on long-poll, skipped versions). */
  snapshot: boolean;
  cause?: string | null;
  changed: string[];
  job: Job;
}

export type ErrorKind =
  | 'invalid' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'gone' | 'too-large'
  | 'rate-limited' | 'unavailable' | 'server' | 'network' | 'too-slow' | 'unsupported';

/** An application/problem+json answer (RFC 9457) with Jobpulse's members. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  field?: string;
  reason?: string;
  [member: string]: unknown;
}

export class JobpulseError extends Error {
  constructor(message: string, init?: {
    status?: number; kind?: ErrorKind; type?: string; title?: string; detail?: string; problem?: Problem; cause?: unknown;
  });
  readonly name: 'JobpulseError';
  /** The HTTP status (0 for a network failure). */
  readonly status: number;
  readonly kind: ErrorKind;
  /** The problem's type URI, e.g. https://jobpulse.io/problems/invalid-request. */
  readonly type: string | null;
  readonly title: string | null;
  readonly detail: string | null;
  /** The whole problem+json answer, when there was one. */
  readonly problem: Problem | null;
  static fromResponse(response: Response, what: string): Promise<JobpulseError>;
  static fromProblem(problem: Problem, what: string): JobpulseError;
}

export type Credential = string | (() => string | null | undefined | Promise<string | null | undefined>);

/** What a watch asks `streamToken` for: one job, or the caller's jobs matching a filter. */
export type StreamTokenScope = { jobs: string[]; filter?: undefined } | { filter: JobsFilter; jobs?: undefined };

/** The answer of POST /v1/stream-tokens (or just its token). */
export type StreamTokenAnswer = string | { token: string; expiresAt?: string | null; [member: string]: unknown };

export type TransportName = 'sse' | 'websocket' | 'poll';

export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
}

export interface ClientOptions {
  /** Jobpulse's address; in a page, its origin by default. */
  baseUrl?: string;
  /** A JWT or API key sent as Authorization: Bearer (a function is asked before each request and connection). */
  auth?: Credential;
  /** Gives a fresh stream token for each new stream connection (usually by asking the application's backend). */
  streamToken?: (scope: StreamTokenScope) => StreamTokenAnswer | Promise<StreamTokenAnswer>;
  fetch?: typeof fetch;
  /**
   * The WebSocket class (default: globalThis.WebSocket). One given here (such as Node's `ws`) is given
   * the Authorization header as its third argument when there is no stream token.
   */
  WebSocket?: new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => WebSocketLike;
  /** Order of preference (default sse, websocket, poll); transports that cannot work here are skipped. */
  transports?: TransportName[];
  /** Reconnection delays in ms: the first (default: the server's `retry:`, else 1000) and the cap (30000). */
  backoff?: { initial?: number; max?: number };
  /** A stream silent for this long (ms, default 45000), or a connect unanswered for as long, is taken for dead and reconnected. */
  idleTimeout?: number;
  /** Seconds a long-poll waits (default 30, at most 60). */
  pollTimeout?: number;
  /** Renew a stream credential this long (ms, default 10000) before its known expiry, at half its life at the earliest, when no notice came first. */
  renewBefore?: number;
}

export type WatchState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface WatchHandlers {
  /** The watch's state; `detail.error` says why it is (re)connecting. */
  onState?(state: WatchState, detail?: { error?: JobpulseError }): void;
  /** A failure the watch stops at (not-found, unauthorized, forbidden, invalid...), or a list that could not be read. */
  onError?(error: JobpulseError): void;
}

export interface JobWatchHandlers extends WatchHandlers {
  /** The job's full state each time it changes, in version order, never the same version twice. */
  onJob?(job: Job, update: JobUpdate): void;
  /** The job reached a terminal state and its stream ended; the watch is closed. */
  onEnd?(job: Job): void;
}

export interface JobsFilter {
  types?: string[];
  statuses?: JobStatus[];
  tag?: string;
  /** For a service key bound to no owner: whose jobs. */
  owner?: string;
}

export interface JobsWatchHandlers extends WatchHandlers {
  /** The matching jobs, newest first, after each change (update null: after the list was read). */
  onJobs?(jobs: Job[], update: JobUpdate | null): void;
  /** Each change applied. */
  onUpdate?(update: JobUpdate): void;
}

export type BatchStatus = 'open' | 'running' | 'succeeded' | 'failed' | 'partial' | 'canceled';

/** A batch's aggregate, as GET /v1/batches/{id} returns it (docs/batches.md). */
export interface Batch {
  id: string;
  owner: string;
  tags: string[];
  metadata: Record<string, unknown>;
  status: BatchStatus;
  counts: { queued: number; running: number; succeeded: number; failed: number; canceled: number; expired: number };
  total: number;
  done: number;
  /** 0..1: the mean of the jobs' progress, an ended job counting as 1. */
  progress: number;
  openedAt: string;
  closedAt?: string | null;
  canceledAt?: string | null;
  cancelReason?: string | null;
  firstStartedAt?: string | null;
  lastFinishedAt?: string | null;
  version: number;
  updatedAt: string;
  [field: string]: unknown;
}

/** What a batch's stream delivers for the batch itself (docs/streaming.md). */
export interface BatchUpdate {
  batchId: string;
  version: number;
  status: BatchStatus;
  previousStatus?: BatchStatus | null;
  snapshot: boolean;
  cause?: string | null;
  causeEventId?: string | null;
  batch: Batch;
}

export interface BatchWatchHandlers extends WatchHandlers {
  /** Also the changes of the batch's jobs (onJob). */
  jobs?: boolean;
  /** The batch's aggregate each time it changes, in version order, never the same version twice. */
  onChange?(batch: Batch, update: BatchUpdate): void;
  /** With `jobs: true`: a job of the batch changed (live from when the watch connected; applied by job version). */
  onJob?(job: Job, update: JobUpdate): void;
  /** The batch finished (succeeded, failed, partial, canceled) and its stream ended; the watch is closed. */
  onEnd?(batch: Batch): void;
}

export interface Watch {
  /** Stops the watch: its connections, requests and timers. */
  close(): void;
  readonly state: WatchState | null;
}

export interface JobSubmission {
  type: string;
  input?: unknown;
  tags?: string[];
  timeout?: string;
  owner?: string;
  provider?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface ListFilter {
  status?: JobStatus | JobStatus[];
  type?: string | string[];
  tag?: string;
  createdAfter?: string;
  createdBefore?: string;
  updatedSince?: string;
  limit?: number;
  cursor?: string;
  count?: boolean;
  owner?: string;
}

export interface JobPage {
  /** The page's jobs, newest first (the API's `items`). */
  jobs: Job[];
  items: Job[];
  nextCursor?: string;
  total?: number;
}

export interface Report {
  status?: 'running' | 'succeeded' | 'failed';
  progress?: number;
  message?: string;
  metadata?: Record<string, unknown>;
  result?: unknown;
  error?: { code: string; message?: string; retryable?: boolean };
  [field: string]: unknown;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface JobpulseClient {
  readonly baseUrl: string;
  watchJob(id: string, handlers?: JobWatchHandlers): Watch;
  watchJobs(filter?: JobsFilter, handlers?: JobsWatchHandlers): Watch;
  /** Follows one batch over SSE or the WebSocket (no long-poll); a stream token for it must be for all of the owner's jobs. */
  watchBatch(id: string, handlers?: BatchWatchHandlers): Watch;
  getBatch(id: string, options?: RequestOptions): Promise<Batch>;
  submitJob(job: JobSubmission, options?: RequestOptions & { idempotencyKey?: string }): Promise<Job & { links?: Record<string, string> }>;
  getJob(id: string, options?: RequestOptions): Promise<Job>;
  listJobs(filter?: ListFilter, options?: RequestOptions): Promise<JobPage>;
  cancel(id: string, options?: RequestOptions & { reason?: string }): Promise<unknown>;
  retry(id: string, options?: RequestOptions & { reason?: string }): Promise<unknown>;
  /** A worker's report on a job (POST /v1/jobs/{id}/reports). */
  report(id: string, report: Report, options?: RequestOptions): Promise<unknown>;
  /** POST /v1/stream-tokens with this client's credential: what a backend hands to its pages. */
  createStreamToken(scope?: { jobs: string[] } | { filter: Record<string, never> }, options?: RequestOptions):
    Promise<{ token: string; expiresAt: string; owner: string; jobs?: string[] }>;
}

export function createClient(options?: ClientOptions): JobpulseClient;

/** The text/event-stream reader the SSE transport uses. */
export class EventStreamParser {
  constructor(onEvent: (event: { type: string; data: string; lastEventId: string }) => void, onRetry?: (millis: number) => void);
  push(text: string): void;
  readonly lastEventId: string;
}
