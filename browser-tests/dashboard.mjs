// The dashboard as a person uses it, in Chromium: sign in by pasting a token, watch a job the test
// submits and reports (its row appears, its progress bar moves, its result picture shows), cancel
// another one, and take screenshots of a full dashboard at desktop and phone widths.
//
//   node dashboard.mjs --base http://localhost:8080 --token <JWT> --screenshots <folder> \
//        --watched <type> --to-cancel <type> --last <type>
//
// The test drives the jobs through the API (one job of each of the three types, which no other
// job has) and reads these JSON lines, in order:
//   {"step":"refused","message":..,"devUsers":false} after a token that is not one was pasted;
//   {"step":"signed-in","who":"<user>","connection":"open"}
//   {"step":"connection","state":..} for every state the connection indicator shows after that
//   (the test cuts the connection: reconnecting, then open);
//   then, for the job of the watched type, opened, a line at every change seen on its row or panel:
//   {"step":"watched","job":..,"status":..,"progress":25,"fill":<px>,"rowHeight":<px>,"progressBox":{..},
//    "image":null|{"loaded":true,"width":..},"panel":{"job":..,"status":..,"progress":..}}
//   until it succeeded and its result picture loaded;
//   {"step":"canceled","job":..,"panel":"canceled","cancelButtons":0,"retryButtons":1} once the to-cancel
//   job was canceled with its row's Cancel button, its row shows it, and its panel, opened, shows it
//   with the cancel in its timeline;
//   {"step":"filtered","status":"canceled","jobs":[..]} the jobs shown with only "canceled" chosen;
//   {"step":"screenshots","files":[..],"types":[every job type shown],
//    "overflow":{"390":<px wider than the window>,"panel390":<px wider than the job's panel>}}
// once the job of the last type is shown and every result picture in view has loaded.
import { emit, launch, options, reportingPage, run } from './lib/harness.mjs';

const WAIT = 30000;

await run(async () => {
  const { base, token, screenshots, watched, 'to-cancel': toCancel, last } = options();
  const browser = await launch();
  try {
    const page = await reportingPage(browser);

    await page.goto(base + '/');
    await page.fill('#token', 'not-a-token');
    await page.click('#token-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('sign-in-error').textContent !== '', null, { timeout: WAIT });
    emit({ step: 'refused', message: await page.textContent('#sign-in-error'), devUsers: await page.isVisible('#dev-users') });
    await page.fill('#token', token);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#connection[data-state="open"]', { timeout: WAIT });
    // Followed before the test hears of the sign-in, as it cuts the connection then.
    await followConnection(page);
    emit({ step: 'signed-in', who: await page.textContent('#who'), connection: 'open' });

    await watch(page, watched);
    await cancel(page, toCancel);
    await gallery(page, screenshots, last, watched);
  } finally {
    await browser.close();
  }
});

/** Reports every state the connection indicator shows from now on, even one that lasts an instant. */
async function followConnection(page) {
  await page.exposeFunction('connectionShown', (state) => emit({ step: 'connection', state }));
  await page.evaluate(() => {
    const indicator = document.getElementById('connection');
    new MutationObserver((records) => {
      // Each record holds the value before its change: the values after them are the next one's, then the current.
      const shown = records.slice(1).map((record) => record.oldValue).concat(indicator.dataset.state);
      shown.forEach((state) => window.connectionShown(state));
    }).observe(indicator, { attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
  });
}

/**
 * Opens the watched job's panel, then reports every change seen on its row and in the panel until
 * it succeeded and its picture loaded.
 */
async function watch(page, type) {
  const row = await rowOfType(page, type);
  await row.click();
  await page.waitForSelector('#panel:not([hidden])', { timeout: WAIT });
  let last = '';
  const deadline = Date.now() + WAIT * 2;
  for (;;) {
    const seen = await row.evaluate((element) => {
      const box = (selector) => {
        const rect = element.querySelector(selector).getBoundingClientRect();
        return { x: Math.round(rect.x), width: Math.round(rect.width) };
      };
      const image = element.querySelector('.cell-result img');
      const panel = document.getElementById('panel');
      return {
        job: element.dataset.jobId,
        status: element.dataset.status,
        progress: Number(element.querySelector('.bar').getAttribute('aria-valuenow')),
        fill: Math.round(element.querySelector('.bar-fill').getBoundingClientRect().width),
        rowHeight: Math.round(element.getBoundingClientRect().height),
        progressBox: box('.cell-progress'),
        image: image ? { loaded: image.complete && image.naturalWidth > 0, width: image.naturalWidth } : null,
        panel: {
          job: document.getElementById('panel-id').textContent,
          status: panel.querySelector('.badge').textContent,
          progress: Number(panel.querySelector('.bar').getAttribute('aria-valuenow')),
        },
      };
    });
    const key = JSON.stringify({ ...seen, fill: undefined });
    if (key !== last) {
      // The bar's width eases to its value: report it once it has arrived.
      await page.waitForTimeout(600);
      seen.fill = await row.evaluate((element) => Math.round(element.querySelector('.bar-fill').getBoundingClientRect().width));
      emit({ step: 'watched', ...seen });
      last = key;
    }
    if (seen.status === 'succeeded' && seen.image?.loaded && seen.panel.status === 'succeeded') break;
    if (Date.now() > deadline) throw new Error('the watched job did not succeed with a picture: ' + key);
    await page.waitForTimeout(100);
  }
  await page.click('#panel-close');
}

/** Cancels the job with its row's Cancel button, then opens it: its panel and timeline show the cancel. */
async function cancel(page, type) {
  const row = await rowOfType(page, type);
  const job = await row.getAttribute('data-job-id');
  await row.locator('button[data-action="cancel"]').click();
  await page.waitForFunction((element) => element.dataset.status === 'canceled', await row.elementHandle(), { timeout: WAIT });
  const cancelButtons = await row.locator('button[data-action="cancel"]:visible').count();
  const retryButtons = await row.locator('button[data-action="retry"]:visible').count();
  await row.click();
  await page.waitForFunction((id) => document.getElementById('panel-id').textContent === id
    && document.querySelector('#panel .badge').textContent === 'canceled'
    && [...document.querySelectorAll('.timeline-cause')].some((cause) => cause.textContent === 'job.cancel-requested'), job, { timeout: WAIT });
  await page.click('#panel-close');
  emit({ step: 'canceled', job, panel: 'canceled', cancelButtons, retryButtons });

  // The status filter: only canceled jobs, then all again.
  await page.click('.chip[data-status="canceled"]');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#rows .row.job')];
    return rows.length > 0 && rows.every((element) => element.dataset.status === 'canceled');
  }, null, { timeout: WAIT });
  const filtered = await page.$$eval('#rows .row.job', (rows) => rows.map((element) => element.dataset.jobId));
  await page.click('.chip[data-status="canceled"]');
  await page.waitForFunction((count) => document.querySelectorAll('#rows .row.job').length > count, filtered.length, { timeout: WAIT });
  emit({ step: 'filtered', status: 'canceled', jobs: filtered });
}

/** Screenshots of the whole dashboard, and of the watched job opened, at desktop and phone widths. */
async function gallery(page, folder, last, watched) {
  await rowOfType(page, last);
  await allPicturesLoaded(page);
  const files = [];
  const shoot = async (name) => {
    const file = `${folder}/${name}`;
    await page.screenshot({ path: file });
    files.push(file);
  };
  const types = await page.$$eval('#rows .row.job .job-type', (cells) => cells.map((cell) => cell.textContent));
  await page.mouse.move(0, 0);
  await shoot('dashboard.png');
  await (await rowOfType(page, watched)).click();
  await page.waitForSelector('.timeline-entry', { timeout: WAIT });
  await allPicturesLoaded(page);
  await shoot('dashboard-job.png');
  // The timeline, with the first change's event opened.
  await page.locator('.timeline-entry details').first().evaluate((details) => { details.open = true; });
  await page.locator('.timeline-section').scrollIntoViewIfNeeded();
  await page.$eval('#panel-body', (body) => { body.scrollTop = body.querySelector('.timeline-section').offsetTop - 16; });
  await shoot('dashboard-timeline.png');
  await page.click('#panel-close');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await shoot('dashboard-390.png');
  await (await rowOfType(page, watched)).click();
  await page.waitForSelector('.timeline-entry', { timeout: WAIT });
  await allPicturesLoaded(page);
  const panelOverflow = await page.$eval('#panel-body', (body) => body.scrollWidth - body.clientWidth);
  await shoot('dashboard-job-390.png');
  emit({ step: 'screenshots', files, types, overflow: { 390: overflow, panel390: panelOverflow } });
}

async function rowOfType(page, type) {
  const row = page.locator('#rows .row.job', { has: page.locator('.job-type', { hasText: new RegExp(`^${type.replace(/\./g, '\\.')}$`) }) });
  await row.first().waitFor({ timeout: WAIT });
  return row.first();
}

/** Waits for the pictures in view (thumbnails below the fold load lazily, when scrolled to). */
async function allPicturesLoaded(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('.media img')]
    .filter((image) => {
      const rect = image.getBoundingClientRect();
      return rect.width > 0 && rect.top < window.innerHeight && rect.bottom > 0;
    })
    .every((image) => image.complete && (image.naturalWidth > 0 || image.closest('.media').classList.contains('broken'))), null, { timeout: WAIT });
}
