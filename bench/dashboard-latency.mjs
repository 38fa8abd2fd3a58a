// The dashboard under load, in Debian's Chromium (driven by browser-tests' playwright-core), against
// a running Jobpulse:
//
// 1. report to paint: worker reports sent open loop at a fixed rate (latency counted from each
//    report's intended send time, so a stall delays the reports behind it too), each until the
//    dashboard's row shows its progress value (a MutationObserver on the row) and until the next
//    animation frame after that (requestAnimationFrame: the frame that paints it); baseline in the
//    same run: the same user's plain SSE stream (GET /v1/stream, read with fetch in this process,
//    no client library). Once on a page with a few jobs, once more with 500 jobs listed.
// 2. page heap: 500 jobs, then 10,000 reports spread over them; the page's JS heap after forced
//    collections (DevTools protocol: HeapProfiler.collectGarbage, Runtime.getHeapUsage) before, with
//    the 500 jobs, after 5,000 and 10,000 updates, and after the list settled.
//
// Times are performance.timeOrigin + performance.now() both in the page and here: the same wall
// clock on one machine; the script measures how far apart the two clocks read and prints it.
// Percentiles are exact, from all samples (nearest rank), not from a histogram.
//
//   node bench/dashboard-latency.mjs --base http://localhost:18082 --token <JWT> \
//        [--reports 200] [--rate 10] [--jobs 5] [--heap-jobs 500] [--heap-updates 10000] [--concurrency 16]
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { CHROMIUM, launch, options } from '../browser-tests/lib/harness.mjs';

const WAIT = 60_000;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const settings = options();
const base = settings.base;
const token = settings.token;
const REPORTS = Number(settings.reports ?? 200);
const RATE = Number(settings.rate ?? 10);
const JOBS = Number(settings.jobs ?? 5);
const HEAP_JOBS = Number(settings['heap-jobs'] ?? 500);
const HEAP_UPDATES = Number(settings['heap-updates'] ?? 10_000);
const CONCURRENCY = Number(settings.concurrency ?? 16);
if (!base || !token) throw new Error('usage: node bench/dashboard-latency.mjs --base <url> --token <JWT> [...]');
if (Math.ceil(REPORTS / JOBS) > 99 || Math.ceil(HEAP_UPDATES / HEAP_JOBS) + Math.ceil(REPORTS / JOBS) > 99) {
  throw new Error('each job takes at most 99 distinct whole percents: use more jobs');
}

const run = `bench-${Date.now().toString(36)}`;

// ---- the API, as a worker and a submitter call it ----

async function api(method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

const submit = async (type) => (await api('POST', '/v1/jobs', { type, tags: [run] })).id;
const report = (id, pct) => api('POST', `/v1/jobs/${id}/reports`, { status: 'running', progress: pct / 100 });

/** Runs tasks with at most `limit` at once; resolves to their results in order. */
async function pooled(count, limit, task) {
  const results = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  }));
  return results;
}

// ---- the baseline: a plain SSE stream of the user's jobs ----

/** Every update of every job the stream delivers: job id -> [[whole percent, arrival time]]. */
const arrivals = new Map();
const stream = new AbortController();

async function followStream() {
  const response = await fetch(`${base}/v1/stream`, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, signal: stream.signal,
  });
  if (!response.ok) throw new Error(`GET /v1/stream answered ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  let data = [];
  (async () => {
    try {
      for await (const chunk of response.body) {
        const at = now();
        buffer += decoder.decode(chunk, { stream: true });
        const lines = buffer.split('\n');
        buffer = lines.pop();
        for (const raw of lines) {
          const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
          if (line.startsWith('data:')) {
            data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
          } else if (line === '' && data.length) {
            const update = JSON.parse(data.join('\n'));
            data = [];
            if (!arrivals.has(update.jobId)) arrivals.set(update.jobId, []);
            arrivals.get(update.jobId).push([Math.round((update.job?.progress ?? 0) * 100), at]);
          }
        }
      }
    } catch (error) {
      if (!stream.signal.aborted) console.error('the SSE baseline stream failed:', error);
    }
  })();
}

/** When a job first reached at least pct, from a list of [pct, time]. */
function firstAtLeast(seen, pct) {
  let first = Infinity;
  for (const [value, at] of seen ?? []) if (value >= pct && at < first) first = at;
  return first;
}

// ---- the dashboard in Chromium ----

async function signIn(page) {
  await page.goto(base + '/');
  await page.fill('#token', token);
  await page.click('#token-form button[type=submit]');
  await page.waitForSelector('#connection[data-state="open"]', { timeout: WAIT });
}

/**
 * Watches the rows of these jobs: each new whole percent a row shows is recorded with the time the
 * MutationObserver saw it and the time of the next animation frame (window.benchSeen).
 */
async function watchRows(page, ids) {
  await page.waitForFunction((wanted) => wanted.every((id) => document.querySelector(`#rows [data-job-id="${id}"]`)),
    ids, { timeout: WAIT });
  await page.evaluate((wanted) => {
    const clock = () => performance.timeOrigin + performance.now();
    const seen = (window.benchSeen = window.benchSeen ?? []);
    for (const id of wanted) {
      const row = document.querySelector(`#rows [data-job-id="${id}"]`);
      const pct = row.querySelector('.pct');
      let shown = pct.textContent;
      new MutationObserver(() => {
        if (pct.textContent === shown) return;
        shown = pct.textContent;
        const record = { id, pct: parseInt(shown, 10), mutatedAt: clock(), paintedAt: null };
        seen.push(record);
        requestAnimationFrame(() => { record.paintedAt = clock(); });
      }).observe(row, { subtree: true, childList: true, characterData: true });
    }
  }, ids);
}

/** How far the page's clock reads from this process's: the best of 20 round trips. */
async function clockOffset(page) {
  let best = null;
  for (let i = 0; i < 20; i++) {
    const sent = now();
    const read = await page.evaluate(() => performance.timeOrigin + performance.now());
    const back = now();
    if (!best || back - sent < best.roundTrip) best = { roundTrip: back - sent, offset: read - (sent + back) / 2 };
  }
  return best;
}

/** Waits until every one of these rows shows at least pct. */
async function rowsShow(page, ids, pct, timeout = WAIT * 5) {
  await page.waitForFunction(({ wanted, least }) => wanted.every((id) => {
    const bar = document.querySelector(`#rows [data-job-id="${id}"] .bar`);
    return bar && Number(bar.getAttribute('aria-valuenow')) >= least;
  }), { wanted: ids, least: pct }, { timeout, polling: 100 });
}

// ---- 1. report to paint ----

/**
 * Sends `count` reports over `jobs` open loop at `rate` per second, report i to job i % jobs with
 * the whole percent `from + floor(i / jobs) + 1`; returns one sample per report.
 */
async function reportToPaint(page, jobs, count, rate, from) {
  const plan = Array.from({ length: count }, (_, i) => ({ id: jobs[i % jobs.length], pct: from + Math.floor(i / jobs.length) + 1 }));
  const start = now() + 200;
  const sends = [];
  for (let i = 0; i < count; i++) {
    const intended = start + (i * 1000) / rate;
    const wait = intended - now();
    if (wait > 0) await sleep(wait);
    plan[i].intended = intended;
    plan[i].sentAt = now();
    sends.push(report(plan[i].id, plan[i].pct).then(() => { plan[i].answeredAt = now(); }));
  }
  await Promise.all(sends);
  const last = new Map(plan.map((step) => [step.id, step.pct]));
  for (const [id, pct] of last) await rowsShow(page, [id], pct);
  await page.waitForFunction(() => window.benchSeen.every((record) => record.paintedAt !== null), null, { timeout: WAIT });
  const deadline = Date.now() + WAIT;
  while ([...last].some(([id, pct]) => firstAtLeast(arrivals.get(id), pct) === Infinity)) {
    if (Date.now() > deadline) throw new Error('the SSE baseline did not receive every report');
    await sleep(50);
  }
  const seen = await page.evaluate(() => window.benchSeen.splice(0));
  const shown = new Map();
  for (const record of seen) {
    if (!shown.has(record.id)) shown.set(record.id, { dom: [], paint: [] });
    shown.get(record.id).dom.push([record.pct, record.mutatedAt]);
    shown.get(record.id).paint.push([record.pct, record.paintedAt]);
  }
  // A report counts as shown when its value, or a later one, is: a later value supersedes it.
  return plan.map((step) => ({
    accepted: step.answeredAt - step.intended,
    sse: firstAtLeast(arrivals.get(step.id), step.pct) - step.intended,
    dom: firstAtLeast(shown.get(step.id)?.dom, step.pct) - step.intended,
    paint: firstAtLeast(shown.get(step.id)?.paint, step.pct) - step.intended,
    late: step.sentAt - step.intended,
  }));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return { n: sorted.length, missing: values.length - sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90),
    p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

function printLatency(title, samples) {
  const rows = [
    ['report -> 202 answer (POST round trip)', summary(samples.map((s) => s.accepted))],
    ['report -> SSE arrival (baseline)', summary(samples.map((s) => s.sse))],
    ['report -> row shows the value (DOM)', summary(samples.map((s) => s.dom))],
    ['report -> painted (next animation frame)', summary(samples.map((s) => s.paint))],
    ['painted - SSE arrival, per report', summary(samples.map((s) => s.paint - s.sse))],
  ];
  const cell = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-').padStart(8);
  console.log(`\n${title}`);
  console.log(`${''.padEnd(42)}${'p50'.padStart(8)}${'p90'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}  (ms, n)`);
  for (const [label, s] of rows) {
    console.log(`${label.padEnd(42)}${cell(s.p50)}${cell(s.p90)}${cell(s.p99)}${cell(s.max)}  n=${s.n}${s.missing ? `, ${s.missing} never seen` : ''}`);
  }
  const sse = rows[1][1];
  const paint = rows[3][1];
  const ratio = (k) => (paint[k] / sse[k]).toFixed(2).padStart(8);
  console.log(`${'ratio painted / SSE'.padEnd(42)}${ratio('p50')}${ratio('p90')}${ratio('p99')}${ratio('max')}`);
  const late = summary(samples.map((s) => s.late));
  console.log(`(sender: sent at most ${late.max.toFixed(1)} ms after the intended time, p50 ${late.p50.toFixed(2)} ms)`);
}

// ---- 2. page heap ----

async function heap(cdp, page, label) {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize, totalSize } = await cdp.send('Runtime.getHeapUsage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? NaN;
  const rows = await page.evaluate(() => document.querySelectorAll('#rows .row.job').length);
  const figures = { label, usedSize, totalSize, nodes: metric('Nodes'), listeners: metric('JSEventListeners'), rows,
    taskSeconds: metric('TaskDuration'), scriptSeconds: metric('ScriptDuration'), layoutSeconds: metric('LayoutDuration'),
    styleSeconds: metric('RecalcStyleDuration') };
  console.log(`${label.padEnd(44)}${(usedSize / 1024).toFixed(0).padStart(9)} KiB${(totalSize / 1024).toFixed(0).padStart(9)} KiB`
    + `${String(figures.nodes).padStart(8)}${String(figures.listeners).padStart(10)}${String(rows).padStart(6)}`);
  return figures;
}

function busy(label, from, to, updates) {
  const ms = (key) => ((to[key] - from[key]) * 1000);
  console.log(`  page main thread over ${label}: tasks ${ms('taskSeconds').toFixed(0)} ms (script ${ms('scriptSeconds').toFixed(0)},`
    + ` style ${ms('styleSeconds').toFixed(0)}, layout ${ms('layoutSeconds').toFixed(0)}): ${(ms('taskSeconds') / updates).toFixed(2)} ms per update`);
}

async function sendReports(jobs, from, to) {
  const started = now();
  await pooled(to - from, CONCURRENCY, (k) => {
    const i = from + k;
    return report(jobs[i % jobs.length], Math.floor(i / jobs.length) + 1);
  });
  return now() - started;
}

// ---- the run ----

const chromiumVersion = execFileSync(CHROMIUM, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
console.log(`dashboard benchmark against ${base}, ${new Date().toISOString()}`);
console.log(`${chromiumVersion}, Node ${process.version}, ${os.cpus().length} cores, load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('percentiles: exact, nearest rank over all samples; times: performance.timeOrigin + performance.now() in the page and in Node');

const browser = await launch();
try {
  await followStream();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await signIn(page);
  const clock = await clockOffset(page);
  console.log(`page clock - Node clock: ${clock.offset >= 0 ? '+' : ''}${clock.offset.toFixed(2)} ms (within ±${(clock.roundTrip / 2).toFixed(2)} ms, half the shortest of 20 round trips)`);

  // Warm-up: two jobs, 20 reports at the same rate, not counted.
  const warm = [await submit('bench.warm-up'), await submit('bench.warm-up')];
  await watchRows(page, warm);
  await reportToPaint(page, warm, 20, RATE, 0);

  const jobs = [];
  for (let i = 0; i < JOBS; i++) jobs.push(await submit('bench.latency'));
  await watchRows(page, jobs);
  const few = await reportToPaint(page, jobs, REPORTS, RATE, 0);
  const listed = await page.evaluate(() => document.querySelectorAll('#rows .row.job').length);
  printLatency(`1. report to paint: ${REPORTS} reports over ${JOBS} jobs, open loop at ${RATE}/s, ${listed} jobs listed`, few);
  await page.close();

  // 2. The heap of a fresh page through 500 jobs and 10,000 updates.
  const heapPage = await browser.context.newPage();
  await heapPage.setViewportSize({ width: 1280, height: 900 });
  heapPage.on('pageerror', (error) => errors.push(String(error)));
  heapPage.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await signIn(heapPage);
  await heapPage.waitForFunction(() => document.getElementById('count').textContent !== '', null, { timeout: WAIT });
  const cdp = await browser.context.newCDPSession(heapPage);
  await cdp.send('Performance.enable');
  console.log(`\n2. page heap: ${HEAP_JOBS} jobs, then ${HEAP_UPDATES} reports spread over them (${CONCURRENCY} requests in flight);`
    + ' after forced GC (HeapProfiler.collectGarbage x3, Runtime.getHeapUsage)');
  console.log(`${''.padEnd(44)}${'JS heap used'.padStart(13)}${'total'.padStart(13)}${'nodes'.padStart(8)}${'listeners'.padStart(10)}${'rows'.padStart(6)}`);
  const before = await heap(cdp, heapPage, 'signed in, before the jobs');
  const submitStarted = now();
  const heapJobs = await pooled(HEAP_JOBS, CONCURRENCY, () => submit('bench.heap'));
  await heapPage.waitForFunction((wanted) => wanted.every((id) => document.querySelector(`#rows [data-job-id="${id}"]`)), heapJobs, { timeout: WAIT * 5, polling: 200 });
  const submitMs = now() - submitStarted;
  const withJobs = await heap(cdp, heapPage, `${HEAP_JOBS} jobs listed, no update yet`);
  const half = Math.floor(HEAP_UPDATES / 2);
  const perJob = (n) => Math.floor(n / HEAP_JOBS);
  const firstMs = await sendReports(heapJobs, 0, half);
  const firstSent = now();
  await rowsShow(heapPage, heapJobs, perJob(half));
  const firstLag = now() - firstSent;
  const afterHalf = await heap(cdp, heapPage, `after ${half} updates`);
  const secondMs = await sendReports(heapJobs, half, HEAP_UPDATES);
  const secondSent = now();
  await rowsShow(heapPage, heapJobs, perJob(HEAP_UPDATES));
  const secondLag = now() - secondSent;
  const afterAll = await heap(cdp, heapPage, `after ${HEAP_UPDATES} updates`);
  await sleep(10_000);
  const settled = await heap(cdp, heapPage, 'settled, 10 s later');
  const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
  console.log(`  ${HEAP_JOBS} jobs submitted and listed in ${(submitMs / 1000).toFixed(1)} s; the jobs' own state: ${kib(withJobs.usedSize - before.usedSize)}`
    + ` (${((withJobs.usedSize - before.usedSize) / HEAP_JOBS / 1024).toFixed(1)} KiB per job)`);
  console.log(`  updates 1-${half}: sent in ${(firstMs / 1000).toFixed(1)} s (${(half / firstMs * 1000).toFixed(0)}/s), all shown ${(firstLag / 1000).toFixed(1)} s after the last was answered`);
  console.log(`  updates ${half + 1}-${HEAP_UPDATES}: sent in ${(secondMs / 1000).toFixed(1)} s (${((HEAP_UPDATES - half) / secondMs * 1000).toFixed(0)}/s), all shown ${(secondLag / 1000).toFixed(1)} s after the last was answered`);
  console.log(`  heap growth: ${kib(afterHalf.usedSize - withJobs.usedSize)} over the first ${half} updates, ${kib(afterAll.usedSize - afterHalf.usedSize)} over the next ${HEAP_UPDATES - half}`
    + ` (${((afterAll.usedSize - afterHalf.usedSize) / (HEAP_UPDATES - half)).toFixed(1)} bytes per update); settled vs ${HEAP_JOBS} jobs listed: ${kib(settled.usedSize - withJobs.usedSize)}`);
  busy(`the first ${half} updates`, withJobs, afterHalf, half);
  busy(`the next ${HEAP_UPDATES - half} updates`, afterHalf, afterAll, HEAP_UPDATES - half);

  // 1 again, with the 500 jobs listed: report to paint on a full page.
  const fullJobs = heapJobs.slice(0, JOBS);
  await watchRows(heapPage, fullJobs);
  const full = await reportToPaint(heapPage, fullJobs, REPORTS, RATE, perJob(HEAP_UPDATES));
  const fullListed = await heapPage.evaluate(() => document.querySelectorAll('#rows .row.job').length);
  printLatency(`3. report to paint again, ${fullListed} jobs listed: ${REPORTS} reports over ${JOBS} of them, open loop at ${RATE}/s`, full);

  console.log(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (errors.length) console.log(`page errors: ${errors.join('; ')}`);
} finally {
  stream.abort();
  await browser.close();
}
