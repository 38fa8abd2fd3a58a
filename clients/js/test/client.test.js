// jobpulse-client against a real Jobpulse (see jobpulse-dev.js): watching through cut connections,
// token renewal, typed errors, filtered lists, the requests, and a Node process that exits once
// its client is closed, with the package as npm installs it.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { createClient, EventStreamParser, JobpulseError } from '../src/jobpulse-client.js';
import { startJobpulse } from './jobpulse-dev.js';
import { startCuttingProxy } from './cutting-proxy.js';

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

let jobpulse;
let alice;

before(async () => {
  jobpulse = await startJobpulse();
  alice = createClient({ baseUrl: jobpulse.url, auth: jobpulse.alice });
});

after(async () => {
  await jobpulse?.stop();
});

/** Every watch a test opened is closed after it, even when it failed, so that nothing keeps the file running. */
const opened = new Set();
afterEach(() => {
  for (const watch of opened) watch.close();
  opened.clear();
});

/** Waits until `condition()` is true (checked every 20 ms), or fails after `millis`. */
async function until(condition, millis = 15_000, what = 'the condition') {
  const deadline = Date.now() + millis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** Watches a job and records what the watch reports. */
function follow(client, id) {
  const seen = { versions: [], states: [], errors: [], jobs: [], ended: null };
  seen.done = new Promise((done) => {
    seen.watch = client.watchJob(id, {
      onJob(job, update) {
        seen.versions.push(update.version);
        seen.jobs.push(job);
      },
      onState(state, detail) { seen.states.push(detail?.error ? `${state}: ${detail.error.message}` : state); },
      onError(error) { seen.errors.push(error); done(); },
      onEnd(job) { seen.ended = job; done(); },
    });
  });
  opened.add(seen.watch);
  return seen;
}

const unique = (name) => `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

function contiguous(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('watchJob', () => {
  for (const transport of ['sse', 'websocket']) {
    test(`${transport}: the snapshot, then every change in order, across a cut connection: no gap, no duplicate`, async () => {
      const proxy = await startCuttingProxy(jobpulse.url);
      try {
        const client = createClient({
          baseUrl: proxy.url, auth: jobpulse.alice, WebSocket, transports: [transport], backoff: { initial: 100 },
        });
        const { id } = await alice.submitJob({ type: 'client.cut', tags: [unique('cut')] });
        const seen = follow(client, id);
        await until(() => seen.versions.includes(1), 15_000, 'the snapshot');
        assert.equal(seen.jobs[0].status, 'queued');
        await alice.report(id, { status: 'running', progress: 0.2 });
        await alice.report(id, { progress: 0.4 });
        await until(() => seen.versions.includes(3), 15_000, 'version 3');

        const connectionsBefore = proxy.requests.length;
        proxy.cut();
        await alice.report(id, { progress: 0.6 });
        await alice.report(id, { progress: 0.8 });
        await until(() => proxy.requests.length > connectionsBefore, 15_000, 'a new connection');
        await alice.report(id, { status: 'succeeded', result: { ok: true } });
        await seen.done;

        assert.deepEqual(seen.errors, []);
        assert.deepEqual(seen.versions, [1, 2, 3, 4, 5, 6]);
        assert.equal(seen.ended.status, 'succeeded');
        assert.ok(seen.states.some((state) => state.startsWith('reconnecting')), `states: ${seen.states}`);
        assert.equal(seen.states.at(-1), 'closed');
        const resumed = proxy.requests.slice(connectionsBefore).join('\n');
        if (transport === 'sse') assert.match(resumed, /last-event-id: 3\r\n/i);
        else assert.match(resumed, /GET \/v1\/ws /);
      } finally {
        await proxy.close();
      }
    });
  }

  test('poll: versions in order and never twice, across a cut connection, to the end', async () => {
    const proxy = await startCuttingProxy(jobpulse.url);
    try {
      const client = createClient({ baseUrl: proxy.url, auth: jobpulse.alice, transports: ['poll'], backoff: { initial: 100 } });
      const { id } = await alice.submitJob({ type: 'client.poll' });
      const seen = follow(client, id);
      await until(() => seen.versions.includes(1));
      await alice.report(id, { status: 'running', progress: 0.5 });
      await until(() => seen.versions.includes(2));
      proxy.cut();
      await alice.report(id, { progress: 0.7 });
      await alice.report(id, { status: 'succeeded' });
      await seen.done;
      assert.deepEqual(seen.errors, []);
      assert.deepEqual(seen.versions, [...new Set(seen.versions)].sort((a, b) => a - b));
      assert.equal(seen.versions.at(-1), 4);
      assert.match(proxy.requests.join('\n'), /waitForVersionAfter=2/);
    } finally {
      await proxy.close();
    }
  });

  test('falls back to the next transport when one cannot connect', async () => {
    const refusing = (url, init) => (String(url).includes('/stream')
      ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init));
    const client = createClient({ baseUrl: jobpulse.url, auth: jobpulse.alice, fetch: refusing, WebSocket });
    const { id } = await alice.submitJob({ type: 'client.fallback' });
    const seen = follow(client, id);
    await until(() => seen.versions.includes(1));
    await alice.report(id, { status: 'failed', error: { code: 'boom' } });
    await seen.done;
    assert.deepEqual(seen.versions, [1, 2]);
    assert.equal(seen.ended.status, 'failed');
  });

  test('a stream token is renewed before it expires, with no change missed (SSE and WebSocket, one job and a filter)', async (t) => {
    const ttl = jobpulse.streamTokenTtlSeconds;
    if (!ttl || ttl > 20) {
      t.skip('the instance\'s stream-token life is not short; start it with JOBPULSE_SECURITY_STREAM_TOKEN_TTL=8s');
      return;
    }
    const tag = unique('renewal');
    const listed = [];
    let listTokens = 0;
    const list = createClient({
      baseUrl: jobpulse.url, streamToken: (scope) => { listTokens += 1; return alice.createStreamToken(scope); },
    }).watchJobs({ tag }, { onUpdate(update) { listed.push(update.version); } });
    opened.add(list);
    await until(() => list.state === 'open', 15_000, 'the list stream');
    const { id } = await alice.submitJob({ type: 'client.renewal', tags: [tag] });
    let tokens = 0;
    const streamToken = async (scope) => {
      tokens += 1;
      assert.deepEqual(scope, { jobs: [id] });
      return alice.createStreamToken(scope);
    };
    const watches = ['sse', 'websocket'].map((transport) =>
      follow(createClient({ baseUrl: jobpulse.url, streamToken, WebSocket, transports: [transport] }), id));
    await until(() => watches.every((seen) => seen.versions.includes(1)), 15_000,
      () => `the snapshots: ${JSON.stringify(watches.map((seen) => [seen.states, seen.versions, seen.errors.map(String)]))}`);
    const changes = Math.ceil((ttl * 1.6 * 1000) / 400);
    for (let i = 1; i <= changes; i++) {
      await alice.report(id, i === 1 ? { status: 'running', progress: 0.01 } : { progress: i / (changes + 1) });
      await new Promise((done) => setTimeout(done, 400));
    }
    await alice.report(id, { status: 'succeeded' });
    await Promise.all(watches.map((seen) => seen.done));
    for (const seen of watches) {
      assert.deepEqual(seen.errors, []);
      assert.deepEqual(seen.versions, contiguous(1, changes + 2));
    }
    await until(() => listed.length >= changes + 2, 15_000, () => `the list's updates: ${listed}`);
    assert.deepEqual(listed, contiguous(1, changes + 2));
    assert.ok(tokens >= 4, `fresh tokens asked for: ${tokens}`);
    assert.ok(listTokens >= 2, `fresh tokens asked for by the list: ${listTokens}`);
  });

  test('a missing job, another user\'s job and a bad credential are typed errors, and the watch stops', async () => {
    const { id } = await alice.submitJob({ type: 'client.errors' });
    const missing = follow(alice, 'no-such-job');
    const foreign = follow(createClient({ baseUrl: jobpulse.url, auth: jobpulse.bob }), id);
    const forged = follow(createClient({ baseUrl: jobpulse.url, auth: 'not-a-token' }), id);
    let asked = 0;
    const badToken = follow(createClient({
      baseUrl: jobpulse.url, streamToken: () => { asked += 1; return 'jst_not-a-token'; }, WebSocket,
    }), id);
    await Promise.all([missing.done, foreign.done, forged.done, badToken.done]);
    for (const [seen, kind, status] of [[missing, 'not-found', 404], [foreign, 'not-found', 404], [forged, 'unauthorized', 401],
      [badToken, 'unauthorized', 401]]) {
      assert.equal(seen.errors.length, 1);
      assert.ok(seen.errors[0] instanceof JobpulseError);
      assert.equal(seen.errors[0].kind, kind);
      assert.equal(seen.errors[0].status, status);
      assert.equal(seen.watch.state, 'closed');
      assert.deepEqual(seen.versions, []);
    }
    assert.match(missing.errors[0].type, /not-found/);
    assert.equal(asked, 2, 'a fresh stream token once, after the first 401');
  });
});

describe('watchJobs', () => {
  test('a filter: the list read after the stream opened, then the changes; a job that leaves the statuses leaves the set', async () => {
    const tag = unique('blue');
    const before = await alice.submitJob({ type: 'client.list', tags: [tag] });
    await alice.report(before.id, { status: 'running' });
    const other = await alice.submitJob({ type: 'client.other', tags: [tag] });
    // The list is read from the projections, a moment behind: wait until it has the job.
    for (let i = 0; i < 100 && (await alice.listJobs({ tag, status: 'running' })).jobs.length === 0; i++) {
      await new Promise((done) => setTimeout(done, 50));
    }

    const sets = [];
    const updates = [];
    const states = [];
    const list = alice.watchJobs({ types: ['client.list'], statuses: ['running'], tag }, {
      onJobs(jobs) { sets.push(jobs.map((job) => job.id)); },
      onUpdate(update) { updates.push(update); },
      onState(state) { states.push(state); },
    });
    try {
      await until(() => sets.some((ids) => ids.includes(before.id)), 15_000, 'the listed job');
      const during = await alice.submitJob({ type: 'client.list', tags: [tag] });
      await alice.report(during.id, { status: 'running', progress: 0.3 });
      await alice.report(other.id, { status: 'running' });
      await until(() => sets.at(-1).includes(during.id), 15_000, 'the job that started running');
      assert.deepEqual(sets.at(-1), [during.id, before.id], 'newest first');
      await alice.report(before.id, { status: 'succeeded' });
      await until(() => !sets.at(-1).includes(before.id), 15_000, 'the job that ended leaving the set');
      assert.deepEqual(sets.at(-1), [during.id]);
      assert.ok(updates.every((update) => update.job.type === 'client.list' && update.job.tags.includes(tag)));
      assert.ok(!sets.flat().includes(other.id));
      assert.equal(states.at(-1), 'open');
    } finally {
      list.close();
    }
  });

  test('a reset (the server cannot resume from the cursor) reads the list again: changes missed meanwhile are there', async () => {
    const tag = unique('reset');
    const proxy = await startCuttingProxy(jobpulse.url);
    let streams = 0;
    let lists = 0;
    let openGate;
    const gate = new Promise((done) => { openGate = done; });
    // The second stream waits for the gate, and resumes from a cursor the server never made.
    const resumingFromNowhere = async (url, init) => {
      if (new URL(url).pathname === '/v1/jobs') lists += 1;
      if (new URL(url).pathname !== '/v1/stream') return fetch(url, init);
      streams += 1;
      if (streams === 1) return fetch(url, init);
      await gate;
      return fetch(url, { ...init, headers: { ...init.headers, 'Last-Event-ID': 'bm93aGVyZQ' } });
    };
    try {
      const client = createClient({ baseUrl: proxy.url, auth: jobpulse.alice, fetch: resumingFromNowhere, backoff: { initial: 100 } });
      let last = [];
      const list = client.watchJobs({ tag }, { onJobs(jobs) { last = jobs; } });
      opened.add(list);
      await until(() => list.state === 'open' && lists === 1);
      const first = await alice.submitJob({ type: 'client.reset', tags: [tag] });
      await until(() => last.length === 1, 15_000, 'the first job');

      proxy.cut();
      await until(() => streams === 2, 15_000, 'the reconnect');
      await alice.report(first.id, { status: 'running', progress: 0.5 });
      const second = await alice.submitJob({ type: 'client.reset', tags: [tag] });
      for (let i = 0; i < 100; i++) {
        const page = await alice.listJobs({ tag });
        if (page.jobs.length === 2 && page.jobs.some((job) => job.status === 'running')) break;
        await new Promise((done) => setTimeout(done, 50));
      }
      assert.deepEqual(last.map((job) => job.id), [first.id], 'nothing arrives while the stream is down');
      openGate();

      await until(() => last.length === 2, 15_000, () => `the list read again: ${JSON.stringify(last)}`);
      assert.equal(lists, 2);
      assert.deepEqual(last.map((job) => [job.id, job.status]), [[second.id, 'queued'], [first.id, 'running']]);
    } finally {
      openGate();
      await proxy.close();
    }
  });

  test('through a cut connection with a stream token only: resumes from its cursor, each version once', async () => {
    const tag = unique('cut-list');
    const proxy = await startCuttingProxy(jobpulse.url);
    try {
      const client = createClient({
        baseUrl: proxy.url, backoff: { initial: 100 },
        streamToken: (scope) => alice.createStreamToken({ filter: {} }).then((answer) => (assert.ok(scope.filter), answer)),
      });
      const updates = [];
      let last = [];
      const list = client.watchJobs({ tag }, { onUpdate(update) { updates.push(update); }, onJobs(jobs) { last = jobs; } });
      try {
        await until(() => list.state === 'open');
        const { id } = await alice.submitJob({ type: 'client.cut-list', tags: [tag] });
        await alice.report(id, { status: 'running' });
        await until(() => updates.length === 2);
        const connectionsBefore = proxy.requests.length;
        proxy.cut();
        await alice.report(id, { progress: 0.5 });
        await alice.report(id, { progress: 0.9 });
        await until(() => proxy.requests.length > connectionsBefore);
        await alice.report(id, { status: 'succeeded' });
        await until(() => updates.length === 5);
        await new Promise((done) => setTimeout(done, 300));
        assert.deepEqual(updates.map((update) => update.version), [1, 2, 3, 4, 5]);
        assert.equal(last[0].status, 'succeeded');
        assert.match(proxy.requests.slice(connectionsBefore).join('\n'), /lastEventId=/);
      } finally {
        list.close();
      }
    } finally {
      await proxy.close();
    }
  });
});

/** Follows a batch and records what the watch reports. */
function followBatch(client, id, jobs) {
  const seen = { versions: [], batches: [], jobs: [], states: [], errors: [], ended: null };
  seen.done = new Promise((done) => {
    seen.watch = client.watchBatch(id, {
      jobs,
      onChange(batch, update) {
        seen.versions.push(update.version);
        seen.batches.push(batch);
      },
      onJob(job) { seen.jobs.push(job); },
      onState(state, detail) { seen.states.push(detail?.error ? `${state}: ${detail.error.message}` : state); },
      onError(error) { seen.errors.push(error); done(); },
      onEnd(batch) { seen.ended = batch; done(); },
    });
  });
  opened.add(seen.watch);
  return seen;
}

/** Waits until the batch's opening is folded (its stream answers 404 before). */
async function readable(id) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await alice.getBatch(id);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}

describe('watchBatch', () => {
  for (const transport of ['sse', 'websocket']) {
    test(`${transport}: the batch version by version, with its jobs, across a cut connection, to its end`, async () => {
      const proxy = await startCuttingProxy(jobpulse.url);
      try {
        const client = createClient({
          baseUrl: proxy.url, auth: jobpulse.alice, WebSocket, transports: [transport], backoff: { initial: 100 },
        });
        const batch = await alice.request('POST', '/v1/batches', {
          body: { jobs: [{ type: 'client.batch' }, { type: 'client.batch' }, { type: 'client.batch' }], close: true },
        });
        await readable(batch.id);
        const seen = followBatch(client, batch.id, true);
        await until(() => seen.versions.length > 0, 15_000, 'the first version');
        await alice.report(batch.jobs[0], { status: 'running' });
        await until(() => seen.jobs.some((job) => job.id === batch.jobs[0] && job.status === 'running'), 15_000, 'a job\'s change');
        const connectionsBefore = proxy.requests.length;
        proxy.cut();
        await alice.report(batch.jobs[0], { status: 'succeeded' });
        await until(() => proxy.requests.length > connectionsBefore, 15_000, 'a new connection');
        await alice.report(batch.jobs[2], { status: 'failed' });
        await alice.report(batch.jobs[1], { status: 'succeeded' });
        await seen.done;

        assert.deepEqual(seen.errors, []);
        assert.deepEqual(seen.versions, contiguous(seen.versions[0], seen.versions.at(-1)));
        assert.equal(seen.ended.status, 'partial');
        assert.equal(seen.ended.done, 3);
        assert.ok(seen.jobs.some((job) => job.id === batch.jobs[1] && job.status === 'succeeded'), 'the last job\'s end');
        assert.equal(seen.states.at(-1), 'closed');
        const resumed = proxy.requests.slice(connectionsBefore).join('\n');
        if (transport === 'sse') assert.match(resumed, /last-event-id: \d+\r\n/i);
      } finally {
        await proxy.close();
      }
    });
  }

  test('another user\'s batch is not-found, and the watch stops', async () => {
    const batch = await alice.request('POST', '/v1/batches', { body: { jobs: [{ type: 'client.batch' }] } });
    const bob = createClient({ baseUrl: jobpulse.url, auth: jobpulse.bob });
    await readable(batch.id);
    const seen = followBatch(bob, batch.id, false);
    await seen.done;
    assert.equal(seen.errors[0]?.kind, 'not-found');
    assert.equal(seen.states.at(-1), 'closed');
  });
});

describe('requests', () => {
  test('submitJob, getJob, listJobs, cancel and retry; a rejection is a JobpulseError built from its problem', async () => {
    const tag = unique('requests');
    const key = unique('order');
    const submitted = await alice.submitJob({ type: 'client.requests', input: { n: 1 }, tags: [tag] }, { idempotencyKey: key });
    assert.equal(submitted.status, 'queued');
    const again = await alice.submitJob({ type: 'client.requests', input: { n: 1 }, tags: [tag] }, { idempotencyKey: key });
    assert.equal(again.id, submitted.id);
    // An Idempotency-Key gives the job a name-based id, which a read does not wait for (docs/operations.md): read until it is there.
    let read;
    for (let i = 0; i < 100 && !read; i++) {
      read = await alice.getJob(submitted.id).catch((error) => {
        if (!(error instanceof JobpulseError && error.status === 404)) throw error;
        return new Promise((done) => setTimeout(() => done(undefined), 50));
      });
    }
    assert.equal(read.id, submitted.id);
    // Once the job is readable, the same key with another input is refused.
    await assert.rejects(alice.submitJob({ type: 'client.requests', input: { n: 2 }, tags: [tag] }, { idempotencyKey: key }),
      (error) => error instanceof JobpulseError && error.status === 409 && error.kind === 'conflict');
    await alice.cancel(submitted.id, { reason: 'no longer needed' });
    let job;
    for (let i = 0; i < 100 && (job = await alice.getJob(submitted.id)).status !== 'canceled'; i++) {
      await new Promise((done) => setTimeout(done, 50));
    }
    assert.equal(job.status, 'canceled');
    await alice.retry(submitted.id);
    for (let i = 0; i < 100 && (job = await alice.getJob(submitted.id)).attempt !== 2; i++) {
      await new Promise((done) => setTimeout(done, 50));
    }
    assert.equal(job.status, 'queued');
    assert.equal(job.attempt, 2);

    let page;
    for (let i = 0; i < 100 && (page = await alice.listJobs({ tag, limit: 10 })).jobs.length === 0; i++) {
      await new Promise((done) => setTimeout(done, 50));
    }
    assert.deepEqual(page.jobs.map((listed) => listed.id), [submitted.id]);
    assert.equal(page.nextCursor, undefined);

    await assert.rejects(alice.retry(submitted.id), (error) => {
      assert.ok(error instanceof JobpulseError);
      assert.equal(error.status, 409);
      assert.equal(error.kind, 'conflict');
      assert.match(error.detail, /only a failed, expired or canceled job is retried/);
      assert.equal(error.problem.reason, 'invalid-transition');
      return true;
    });
    await assert.rejects(alice.submitJob({ input: {} }), (error) => {
      assert.equal(error.kind, 'invalid');
      assert.equal(error.type, 'https://jobpulse.io/problems/invalid-request');
      assert.ok(error.problem.field);
      return true;
    });
    await assert.rejects(alice.listJobs({ limit: 1000 }), (error) => error.kind === 'invalid' && /limit/.test(error.detail));
    await assert.rejects(createClient({ baseUrl: jobpulse.url }).getJob(submitted.id), (error) => error.kind === 'unauthorized');
    await assert.rejects(createClient({ baseUrl: 'http://127.0.0.1:1', auth: 'x' }).getJob('a'), (error) => error.kind === 'network');
  });
});

describe('the package as installed', () => {
  let installed;

  before(async () => {
    installed = mkdtempSync(join(tmpdir(), 'jobpulse-client-installed-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', installed], { cwd: PACKAGE });
    const [{ filename, files }] = JSON.parse(stdout);
    assert.deepEqual(files.map((file) => file.path).sort(),
      ['README.md', 'package.json', 'src/jobpulse-client.d.ts', 'src/jobpulse-client.js']);
    writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'uses-jobpulse-client', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(installed, filename)], { cwd: installed });
  });

  after(() => rmSync(installed, { recursive: true, force: true }));

  test('close() stops everything: a Node process that watched jobs exits by itself', async () => {
    const { id } = await alice.submitJob({ type: 'client.exit' });
    writeFileSync(join(installed, 'watch-then-close.js'), `
      import { createClient } from 'jobpulse-client';
      import WebSocket from ${JSON.stringify(join(PACKAGE, 'node_modules', 'ws', 'wrapper.mjs'))};
      const [url, token, id] = process.argv.slice(2);
      const client = createClient({ baseUrl: url, auth: token, WebSocket });
      const opened = (watchJobs) => new Promise((done) => {
        const onState = (state) => { if (state === 'open') done(watch); };
        const watch = watchJobs ? client.watchJobs({}, { onState }) : client.watchJob(id, { onState, onJob() {} });
      });
      const watches = await Promise.all([opened(false), opened(true),
        new Promise((done) => { const watch = createClient({ baseUrl: url, auth: token, WebSocket, transports: ['websocket'] })
          .watchJob(id, { onState: (state) => state === 'open' && done(watch) }); }),
        new Promise((done) => { const watch = createClient({ baseUrl: url, auth: token, transports: ['poll'] })
          .watchJob(id, { onState: (state) => state === 'open' && done(watch) }); }),
        new Promise((done) => { const watch = createClient({ baseUrl: url, streamToken: (scope) => client.createStreamToken(scope) })
          .watchJob(id, { onState: (state) => state === 'open' && done(watch) }); })]);
      for (const watch of watches) watch.close();
      console.log('closed ' + watches.map((watch) => watch.state).join(','));
    `);
    const child = spawn(process.execPath, ['watch-then-close.js', jobpulse.url, jobpulse.alice, id], { cwd: installed });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const exited = new Promise((done) => child.on('exit', (code) => done(code)));
    const timer = new Promise((done) => setTimeout(() => done('still running'), 20_000).unref());
    const code = await Promise.race([exited, timer]);
    if (code === 'still running') child.kill('SIGKILL');
    assert.equal(code, 0, output);
    assert.match(output, /closed closed,closed,closed,closed,closed/);
  });

  test('its types check: a typed usage file compiles with tsc against the installed declarations', async () => {
    writeFileSync(join(installed, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], skipLibCheck: false },
      files: ['usage.ts'],
    }));
    writeFileSync(join(installed, 'usage.ts'), await import('node:fs').then((fs) =>
      fs.readFileSync(join(PACKAGE, 'test', 'types', 'usage.ts'), 'utf8')));
    const tsc = join(PACKAGE, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', installed]).catch((failure) => assert.fail(`${failure.stdout}${failure.stderr}`));
  });
});

describe('EventStreamParser', () => {
  test('reads the event-stream format: multi-line data, comments, ids, events, retry, any line ending, split chunks', () => {
    const events = [];
    const retries = [];
    const parser = new EventStreamParser((event) => events.push(event), (retry) => retries.push(retry));
    const text = '\uFEFFretry: 2000\r\n: a comment\nid: 1\nevent: status\ndata: {"a":\ndata: 1}\n\n'
      + ': stream position\rid: c-9\rdata\r\r'
      + 'id: 2\r\nevent: progress\r\ndata:x\r\n\r\nretry: soon\nid: bad\0id\ndata: y\n\n';
    for (let i = 0; i < text.length; i += 3) parser.push(text.slice(i, i + 3));
    assert.deepEqual(retries, [2000]);
    assert.deepEqual(events, [
      { type: 'status', data: '{"a":\n1}', lastEventId: '1' },
      { type: 'message', data: '', lastEventId: 'c-9' },
      { type: 'progress', data: 'x', lastEventId: '2' },
      { type: 'message', data: 'y', lastEventId: '2' },
    ]);
    const quiet = new EventStreamParser((event) => events.push(event));
    quiet.push(': position\nid: 77\n\n');
    assert.equal(quiet.lastEventId, '77');
    assert.equal(events.length, 4);
  });
});
