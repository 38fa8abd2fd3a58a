// useJob and useJobs rendered by react-dom in a DOM (happy-dom), against a real Jobpulse
// (../../js/test/jobpulse-dev.js), through a proxy that shows which streams are open.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Window } from 'happy-dom';
import { createClient } from 'jobpulse-client';
import { startJobpulse } from '../../js/test/jobpulse-dev.js';
import { startCuttingProxy } from '../../js/test/cutting-proxy.js';

const window = new Window({ url: 'http://localhost/' });
globalThis.window = window;
globalThis.document = window.document;
if (!globalThis.navigator) globalThis.navigator = window.navigator;
globalThis.IS_REACT_ACT_ENVIRONMENT = false;

const React = await import('react');
const { createRoot } = await import('react-dom/client');
const { JobpulseProvider, useBatch, useJob, useJobs } = await import('../src/jobpulse-react.js');
const h = React.createElement;

let jobpulse;
let proxy;
let alice;
let watching;

before(async () => {
  jobpulse = await startJobpulse();
  proxy = await startCuttingProxy(jobpulse.url);
  alice = createClient({ baseUrl: jobpulse.url, auth: jobpulse.alice });
  watching = createClient({ baseUrl: proxy.url, auth: jobpulse.alice, backoff: { initial: 100 } });
});

after(async () => {
  await proxy?.close();
  await jobpulse?.stop();
  await window.happyDOM.close();
});

async function until(condition, what, millis = 15_000) {
  const deadline = Date.now() + millis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** The streams open through the proxy right now (request lines). */
const openStreams = () => proxy.openStreams().filter((line) => /^GET \/v1\/((jobs|batches)\/[^/?]+\/)?stream/.test(line));

function mount(element) {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  root.render(element);
  return {
    text: () => container.textContent,
    render: (next) => root.render(next),
    unmount: () => {
      root.unmount();
      container.remove();
    },
  };
}

function JobStatus({ id, client }) {
  const { job, state, error } = useJob(id, { client });
  return h('p', null, error ? `error:${error.kind}` : `${state}|${job ? `${job.id}:${job.status}:${job.progress}` : 'none'}`);
}

function JobList({ filter }) {
  const { jobs, state } = useJobs(filter);
  return h('ul', { 'data-state': state }, jobs.map((job) => h('li', { key: job.id }, `${job.id}:${job.status};`)));
}

const unique = (name) => `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

describe('useJob', () => {
  test('a job updates live on screen; under StrictMode one stream stays open; unmounting closes it', async () => {
    const { id } = await alice.submitJob({ type: 'react.job' });
    let watches = 0;
    const counting = Object.create(watching, { watchJob: { value: (...args) => { watches += 1; return watching.watchJob(...args); } } });
    const view = mount(h(React.StrictMode, null, h(JobpulseProvider, { client: counting }, h(JobStatus, { id }))));
    try {
      await until(() => view.text() === `open|${id}:queued:0`, 'the snapshot on screen');
      await until(() => openStreams().length === 1, 'one open stream');
      await alice.report(id, { status: 'running', progress: 0.5 });
      await until(() => view.text() === `open|${id}:running:0.5`, 'the change on screen');
      // Effects have settled: still exactly one stream, the second effect's.
      await new Promise((done) => setTimeout(done, 300));
      assert.deepEqual(openStreams(), [`GET /v1/jobs/${id}/stream`]);
      assert.equal(watches, 2, 'StrictMode ran the effect twice');
      await alice.report(id, { status: 'succeeded' });
      await until(() => view.text() === `closed|${id}:succeeded:1`, 'the end on screen');
    } finally {
      view.unmount();
    }
    await until(() => openStreams().length === 0, 'no stream after unmount');
  });

  test('a new id replaces the watch, with the client given as an option; unmounting mid-job closes the stream', async () => {
    const first = await alice.submitJob({ type: 'react.first' });
    const second = await alice.submitJob({ type: 'react.second' });
    const view = mount(h(React.StrictMode, null, h(JobStatus, { id: first.id, client: watching })));
    try {
      await until(() => view.text() === `open|${first.id}:queued:0`, 'the first job');
      view.render(h(React.StrictMode, null, h(JobStatus, { id: second.id, client: watching })));
      await until(() => view.text() === `open|${second.id}:queued:0`, 'the second job');
      await alice.report(first.id, { status: 'running', progress: 0.9 });
      await alice.report(second.id, { status: 'running', progress: 0.1 });
      await until(() => view.text() === `open|${second.id}:running:0.1`, 'the second job running');
      await until(() => openStreams().length === 1, 'the first stream closed');
      assert.deepEqual(openStreams(), [`GET /v1/jobs/${second.id}/stream`]);
    } finally {
      view.unmount();
    }
    await until(() => openStreams().length === 0, 'no stream after unmount');
  });

  test('a missing job shows a not-found error', async () => {
    const view = mount(h(JobpulseProvider, { client: watching }, h(JobStatus, { id: 'no-such-job' })));
    try {
      await until(() => view.text() === 'error:not-found', 'the error');
    } finally {
      view.unmount();
    }
  });
});

function BatchBar({ id }) {
  const { batch, jobs, state } = useBatch(id, { jobs: true });
  return h('p', null, `${state}|${batch ? `${batch.done}/${batch.total}:${batch.status}` : 'none'}|${Object.keys(jobs).length}`);
}

describe('useBatch', () => {
  test('a batch and its jobs update live on screen, to its end; unmounting closes the stream', async () => {
    const batch = await alice.request('POST', '/v1/batches', { body: { jobs: [{ type: 'react.batch' }, { type: 'react.batch' }], close: true } });
    for (let tries = 0; ; tries += 1) {
      try {
        await alice.getBatch(batch.id);
        break;
      } catch (error) {
        if (tries > 300) throw error;
        await new Promise((done) => setTimeout(done, 50));
      }
    }
    const view = mount(h(React.StrictMode, null, h(JobpulseProvider, { client: watching }, h(BatchBar, { id: batch.id }))));
    try {
      await until(() => view.text() === 'open|0/2:open|0', 'the batch on screen');
      await alice.report(batch.jobs[0], { status: 'succeeded' });
      await until(() => view.text() === 'open|1/2:running|1', 'one job done');
      await alice.report(batch.jobs[1], { status: 'failed' });
      await until(() => view.text() === 'closed|2/2:partial|2', 'the end on screen');
    } finally {
      view.unmount();
    }
    await until(() => openStreams().length === 0, 'no stream after unmount');
  });
});

describe('useJobs', () => {
  test('a filter equal by value keeps its watch across renders; another filter replaces it', async () => {
    const tag = unique('react');
    const other = unique('react-other');
    const app = (filterTag) => h(React.StrictMode, null,
      h(JobpulseProvider, { client: watching }, h(JobList, { filter: { tag: filterTag, types: ['react.list'] } })));
    const view = mount(app(tag));
    try {
      await until(() => openStreams().length === 1, 'the list stream');
      const { id } = await alice.submitJob({ type: 'react.list', tags: [tag] });
      await alice.submitJob({ type: 'react.unlisted', tags: [tag] });
      await until(() => view.text() === `${id}:queued;`, 'the new job listed');
      const streamsSoFar = proxy.requests.filter((request) => request.startsWith('GET /v1/stream')).length;
      for (let i = 0; i < 5; i++) view.render(app(tag)); // new filter objects, same value
      await alice.report(id, { status: 'running' });
      await until(() => view.text() === `${id}:running;`, 'the change listed');
      assert.equal(proxy.requests.filter((request) => request.startsWith('GET /v1/stream')).length, streamsSoFar);
      assert.equal(openStreams().length, 1);

      view.render(app(other));
      await until(() => openStreams().length === 1 && openStreams()[0].includes(other), 'the other filter\'s stream');
      const { id: otherId } = await alice.submitJob({ type: 'react.list', tags: [other] });
      await until(() => view.text() === `${otherId}:queued;`, 'only the other filter\'s job');
    } finally {
      view.unmount();
    }
    await until(() => openStreams().length === 0, 'no stream after unmount');
  });
});

describe('types', () => {
  test('a typed usage file compiles with tsc against the declarations', async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const tsc = join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', join(here, 'types')])
      .catch((failure) => assert.fail(`${failure.stdout}${failure.stderr}`));
  });
});
