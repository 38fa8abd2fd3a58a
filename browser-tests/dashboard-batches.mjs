// The dashboard's Batches view as a person uses it, in Chromium: sign in, open the Batches tab, see
// a batch the test submits appear, open it, and follow it and its jobs live while the test reports
// them to their end.
//
//   node dashboard-batches.mjs --base http://localhost:8080 --token <JWT> --jobs <n> --screenshots <folder>
//
// The test submits one batch of <n> jobs and reports them; it reads these JSON lines, in order, each
// with "ms", the time since the script started:
//   {"step":"ready"} once the Batches view shows (the test then submits the batch);
//   {"step":"batch","batch":..,"status":..,"summary":"0 of 3 done, 3 queued, 0%","fill":<%>,"expanded":..,
//    "jobs":[{"id":..,"status":..,"progress":<%>}]} at every change seen on the batch's row or its
//   jobs (the script opens the row as soon as it shows), until the batch is finished and its <n>
//   jobs shown have ended;
//   {"step":"done","streams":[the batch streams the page opened, with their answers' status],
//    "files":[..],"overflow":{"390":<px wider than the window>}}.
import { emit, launch, options, reportingPage, run } from './lib/harness.mjs';

const WAIT = 15000;
const FINISHED = ['succeeded', 'failed', 'partial', 'canceled'];
const ENDED = ['succeeded', 'failed', 'canceled', 'expired'];

const started = Date.now();

await run(async () => {
  const { base, token, jobs, screenshots } = options();
  const browser = await launch();
  try {
    const page = await reportingPage(browser);
    const streams = [];
    page.on('response', (response) => {
      if (/\/v1\/batches\/[^/]+\/stream/.test(response.url())) streams.push({ url: response.url(), status: response.status() });
    });

    await page.goto(base + '/');
    await page.fill('#token', token);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#connection[data-state="open"]', { timeout: WAIT });
    await page.click('#nav-batches');
    await page.waitForSelector('#batches', { state: 'visible', timeout: WAIT });
    emit({ step: 'ready', ms: Date.now() - started });

    const row = page.locator('#batch-rows .batch').first();
    await row.waitFor({ timeout: WAIT });
    await row.locator('.batch-row').click();

    let last = '';
    const deadline = Date.now() + WAIT;
    for (;;) {
      const shown = await row.evaluate((batch) => ({
        batch: batch.dataset.batchId,
        status: batch.dataset.status,
        summary: batch.querySelector('.cell-summary').textContent,
        fill: parseFloat(batch.querySelector('.batch-row .bar-fill').style.width),
        expanded: batch.querySelector('.batch-row').getAttribute('aria-expanded') === 'true',
        jobs: [...batch.querySelectorAll('.batch-jobs:not([hidden]) .row.job')].map((job) => ({
          id: job.dataset.jobId, status: job.dataset.status, progress: parseFloat(job.querySelector('.bar-fill').style.width),
        })),
      }));
      const text = JSON.stringify(shown);
      if (text !== last) {
        emit({ step: 'batch', ms: Date.now() - started, ...shown });
        last = text;
      }
      if (FINISHED.includes(shown.status) && shown.jobs.length === Number(jobs) && shown.jobs.every((job) => ENDED.includes(job.status))) break;
      if (Date.now() > deadline) throw new Error('the batch did not finish on the page; last shown: ' + text);
      await page.waitForTimeout(50);
    }

    const files = [`${screenshots}/dashboard-batches.png`, `${screenshots}/dashboard-batches-390.png`];
    await page.mouse.move(0, 0);
    await page.waitForTimeout(500); // the bars' width transitions
    await page.screenshot({ path: files[0] });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: files[1], fullPage: true });
    emit({ step: 'done', ms: Date.now() - started, streams, files, overflow: { 390: overflow } });
  } finally {
    await browser.close();
  }
});
