// jobpulse-react: React hooks over jobpulse-client. One ES module, without JSX, so it needs no build.
//
// Each hook holds one watch while it is mounted with the same arguments: it opens it in an effect and
// closes it in that effect's cleanup, so StrictMode's double effects leave one connection open, a
// change of arguments replaces the watch, and unmounting closes it. Filters are compared by value.

import { createContext, createElement, useContext, useEffect, useMemo, useState } from 'react';

const ClientContext = createContext(null);

/** Gives the hooks below it a jobpulse-client (`createClient(...)`). */
export function JobpulseProvider({ client, children }) {
  return createElement(ClientContext.Provider, { value: client }, children);
}

/** The client of the nearest JobpulseProvider, or the one given. */
export function useJobpulseClient(client) {
  const provided = useContext(ClientContext);
  return client ?? provided;
}

function noClient() {
  return new Error('jobpulse-react: no client; wrap the tree in <JobpulseProvider client={...}> or pass options.client');
}

/**
 * The watch of one hook: opened by `open(client, key, on)` in an effect while `key` (a string, or
 * null for none) stays the same, closed in its cleanup. `{ value, state, error }`, of the current
 * key only: what belonged to a previous key is never shown.
 */
function useWatch(client, key, empty, open) {
  const [view, setView] = useState(() => ({ key: null, value: empty, state: 'idle', error: null }));

  useEffect(() => {
    if (key === null) return undefined;
    if (!client) {
      setView({ key, value: empty, state: 'closed', error: noClient() });
      return undefined;
    }
    let active = true;
    const update = (change) => {
      if (active) setView((previous) => ({ ...(previous.key === key ? previous : { value: empty, error: null }), key, ...change }));
    };
    update({ state: 'connecting' });
    const watch = open(client, key, {
      value: (value) => update({ value }),
      state: (state) => update({ state }),
      error: (error) => update({ error }),
    });
    return () => {
      active = false;
      watch.close();
    };
  }, [client, key]);

  if (key === null) return { value: empty, state: 'idle', error: null };
  if (view.key !== key) return { value: empty, state: 'connecting', error: null };
  return view;
}

/**
 * Follows one job: `{ job, state, error }`. `job` is its latest state (null until the first one);
 * `state` is the watch's ('connecting', 'open', 'reconnecting', 'closed'; 'idle' without an id or
 * with `enabled: false`); `error` the JobpulseError that stopped it. The watch ends with the job.
 */
export function useJob(id, options = {}) {
  const client = useJobpulseClient(options.client);
  const enabled = options.enabled !== false && id !== null && id !== undefined && id !== '';
  const { value, state, error } = useWatch(client, enabled ? String(id) : null, null,
    (from, key, on) => from.watchJob(key, { onJob: on.value, onState: on.state, onError: on.error }));
  return { job: value, state, error };
}

/**
 * Follows one batch: `{ batch, jobs, state, error }`. `batch` is its latest aggregate (null until the
 * first one: counts by status, `done` of `total`, `progress`); with `options.jobs`, `jobs` maps the
 * ids of its jobs that changed since the watch opened to their latest states. The watch ends when
 * the batch is finished.
 */
export function useBatch(id, options = {}) {
  const client = useJobpulseClient(options.client);
  const enabled = options.enabled !== false && id !== null && id !== undefined && id !== '';
  const withJobs = options.jobs === true;
  const empty = useMemo(() => ({ batch: null, jobs: {} }), [id, withJobs]);
  const { value, state, error } = useWatch(client, enabled ? `${withJobs ? 'jobs' : 'batch'}:${id}` : null, empty,
    (from, key, on) => {
      let current = empty;
      const publish = (next) => {
        current = next;
        on.value(next);
      };
      return from.watchBatch(key.slice(key.indexOf(':') + 1), {
        jobs: withJobs,
        onChange: (batch) => publish({ ...current, batch }),
        onJob: (job) => publish({ ...current, jobs: { ...current.jobs, [job.id]: job } }),
        onState: on.state,
        onError: on.error,
      });
    });
  return { batch: value.batch, jobs: value.jobs, state, error };
}

/** A filter as a value: the same keys and items give the same text, whatever the object's identity or key order. */
function filterKey(filter) {
  const normalized = {};
  for (const name of Object.keys(filter ?? {}).sort()) {
    const value = filter[name];
    if (value === undefined || value === null) continue;
    normalized[name] = Array.isArray(value) ? value.map(String) : value;
  }
  return JSON.stringify(normalized);
}

/**
 * Follows the caller's jobs matching a filter (`{ types, statuses, tag, owner }`): `{ jobs, state,
 * error }`, jobs newest first. A new filter object with the same value keeps the watch.
 */
export function useJobs(filter = {}, options = {}) {
  const client = useJobpulseClient(options.client);
  const key = options.enabled !== false ? filterKey(filter) : null;
  const empty = useMemo(() => [], [key]);
  const { value, state, error } = useWatch(client, key, empty,
    (from, filterText, on) => from.watchJobs(JSON.parse(filterText), { onJobs: on.value, onState: on.state, onError: on.error }));
  return { jobs: value, state, error };
}
