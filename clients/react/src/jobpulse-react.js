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
 * Follows one job: `{ job, state, error }`. `job` is its latest state (null until the first one);
 * `state` is the watch's ('connecting', 'open', 'reconnecting', 'closed'; 'idle' without an id or
 * with `enabled: false`); `error` the JobpulseError that stopped it. The watch ends with the job.
 */
export function useJob(id, options = {}) {
  const client = useJobpulseClient(options.client);
  const enabled = options.enabled !== false && id !== null && id !== undefined && id !== '';
  const [view, setView] = useState(() => ({ key: null, job: null, state: 'idle', error: null }));
  const key = enabled ? String(id) : null;

  useEffect(() => {
    if (key === null) return undefined;
    if (!client) {
      setView({ key, job: null, state: 'closed', error: noClient() });
      return undefined;
    }
    let active = true;
    const update = (change) => {
      if (active) setView((previous) => ({ ...(previous.key === key ? previous : { job: null, error: null }), key, ...change }));
    };
    update({ state: 'connecting' });
    const watch = client.watchJob(key, {
      onJob: (job) => update({ job }),
      onState: (state) => update({ state }),
      onError: (error) => update({ error }),
    });
    return () => {
      active = false;
      watch.close();
    };
  }, [client, key]);

  // What belongs to other arguments (a previous id) is never shown.
  if (key === null) return { job: null, state: 'idle', error: null };
  if (view.key !== key) return { job: null, state: 'connecting', error: null };
  return { job: view.job, state: view.state, error: view.error };
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
  const enabled = options.enabled !== false;
  const key = enabled ? filterKey(filter) : null;
  const [view, setView] = useState(() => ({ key: null, jobs: [], state: 'idle', error: null }));
  const empty = useMemo(() => [], [key]);

  useEffect(() => {
    if (key === null) return undefined;
    if (!client) {
      setView({ key, jobs: [], state: 'closed', error: noClient() });
      return undefined;
    }
    let active = true;
    const update = (change) => {
      if (active) setView((previous) => ({ ...(previous.key === key ? previous : { jobs: [], error: null }), key, ...change }));
    };
    update({ state: 'connecting' });
    const watch = client.watchJobs(JSON.parse(key), {
      onJobs: (jobs) => update({ jobs }),
      onState: (state) => update({ state }),
      onError: (error) => update({ error }),
    });
    return () => {
      active = false;
      watch.close();
    };
  }, [client, key]);

  if (key === null) return { jobs: empty, state: 'idle', error: null };
  if (view.key !== key) return { jobs: empty, state: 'connecting', error: null };
  return { jobs: view.jobs, state: view.state, error: view.error };
}
