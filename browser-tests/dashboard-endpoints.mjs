// The dashboard's Endpoints view as a person uses it, in Chromium: register a webhook endpoint on
// the test's receiver, see its secret once, see the deliveries of a job the test submits arrive as
// delivered, retry one that failed, send a test, pause and resume, rotate the secret, delete.
//
//   node dashboard-endpoints.mjs --base http://localhost:8080 --token <JWT> --url <receiver URL> \
//        --tag <tag> --screenshots <folder>
//
// The test submits the jobs and sets the receiver's answers; it reads these JSON lines, in order:
//   {"step":"refused","message":..} after registering a URL on a private address, which is refused;
//   {"step":"registered","endpoint":..,"secret":"whsec_..","status":"active"} once the endpoint shows,
//   with its secret (the test then gives the secret to the receiver and submits a job with the tag);
//   {"step":"delivered","delivery":{id, type, job, status, code, attempts}} once a job.queued delivery
//   shows as delivered (the test then makes the receiver fail twice and submits another job);
//   {"step":"failed","delivery":{..},"retryButton":true} once a delivery shows as failed;
//   {"step":"retried","delivery":{..}} once that one, retried with its Retry button, shows as delivered;
//   {"step":"pinged","delivery":{..}} once the ping of "Send test" shows as delivered;
//   {"step":"paused","status":"paused","then":"active"} after Pause, then Resume;
//   {"step":"rotated","secret":"whsec_.."} with the new secret Rotate shows;
//   {"step":"screenshots","files":[..],"overflow":{"390":<px wider than the window>}};
//   {"step":"deleted","endpoints":0} after Delete, confirmed.
import { emit, launch, options, reportingPage, run } from './lib/harness.mjs';

const WAIT = 30000;

await run(async () => {
  const { base, token, url, tag, screenshots } = options();
  const browser = await launch();
  try {
    const page = await reportingPage(browser);
    page.on('dialog', (dialog) => dialog.accept());

    await page.goto(base + '/');
    await page.fill('#token', token);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#connection[data-state="open"]', { timeout: WAIT });
    await page.click('#nav-endpoints');
    await page.waitForSelector('#endpoint-form', { state: 'visible', timeout: WAIT });

    await page.fill('#endpoint-url', 'https://10.20.30.40/hooks');
    await page.click('#endpoint-create');
    await page.waitForFunction(() => document.getElementById('endpoint-error').textContent !== '', null, { timeout: WAIT });
    emit({ step: 'refused', message: await page.textContent('#endpoint-error') });

    await page.fill('#endpoint-url', url);
    await page.fill('#endpoint-description', 'the test receiver');
    await page.fill('#endpoint-tags', tag);
    await page.click('#endpoint-create');
    await page.waitForSelector('#secret-box', { state: 'visible', timeout: WAIT });
    const endpoint = await page.getAttribute('#secret-box', 'data-endpoint-id');
    const card = page.locator(`.endpoint[data-endpoint-id="${endpoint}"]`);
    await card.waitFor({ timeout: WAIT });
    emit({ step: 'registered', endpoint, secret: await page.textContent('#secret-value'), status: await card.getAttribute('data-status') });

    emit({ step: 'delivered', delivery: await awaitDelivery(card, (d) => d.type === 'job.queued' && d.status === 'delivered') });

    const failed = await awaitDelivery(card, (d) => d.status === 'failed');
    const retry = card.locator(`.delivery[data-delivery-id="${failed.id}"] button[data-action="retry"]`);
    emit({ step: 'failed', delivery: failed, retryButton: await retry.isVisible() });
    await retry.click();
    emit({ step: 'retried', delivery: await awaitDelivery(card, (d) => d.id === failed.id && d.status === 'delivered', WAIT * 2) });

    await card.locator('button[data-action="test"]').click();
    emit({ step: 'pinged', delivery: await awaitDelivery(card, (d) => d.type === 'ping' && d.status === 'delivered') });

    await card.locator('button[data-action="pause"]').click();
    await page.waitForFunction((element) => element.dataset.status === 'paused', await card.elementHandle(), { timeout: WAIT });
    await card.locator('button[data-action="resume"]').click();
    await page.waitForFunction((element) => element.dataset.status === 'active', await card.elementHandle(), { timeout: WAIT });
    emit({ step: 'paused', status: 'paused', then: await card.getAttribute('data-status') });

    const first = await page.textContent('#secret-value');
    await page.click('#secret-dismiss');
    await card.locator('button[data-action="rotate"]').click();
    await page.waitForFunction((previous) => {
      const value = document.getElementById('secret-value').textContent;
      return !document.getElementById('secret-box').hidden && value !== '' && value !== previous;
    }, first, { timeout: WAIT });
    emit({ step: 'rotated', secret: await page.textContent('#secret-value') });

    const files = [];
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${screenshots}/dashboard-endpoints.png`, fullPage: true });
    files.push(`${screenshots}/dashboard-endpoints.png`);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: `${screenshots}/dashboard-endpoints-390.png` });
    files.push(`${screenshots}/dashboard-endpoints-390.png`);
    emit({ step: 'screenshots', files, overflow: { 390: overflow } });

    await card.locator('button[data-action="delete"]').click();
    await card.waitFor({ state: 'detached', timeout: WAIT });
    await page.waitForSelector('#endpoints-empty', { state: 'visible', timeout: WAIT });
    emit({ step: 'deleted', endpoints: await page.locator('.endpoint').count() });
  } finally {
    await browser.close();
  }
});

/** Waits until the endpoint's card lists a delivery that matches, and returns it as shown. */
async function awaitDelivery(card, matches, timeout = WAIT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const shown = await card.locator('.delivery[data-delivery-id]').evaluateAll((rows) => rows.map((row) => ({
      id: row.dataset.deliveryId,
      status: row.dataset.status,
      type: row.querySelector('.delivery-type').textContent,
      job: row.querySelector('.delivery-job').title,
      attempts: Number(row.querySelector('.delivery-attempts').textContent),
      code: row.querySelector('.delivery-code').textContent,
      response: row.querySelector('.delivery-response').textContent,
      next: row.querySelector('.delivery-next').textContent,
    })));
    const found = shown.find(matches);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('no such delivery shown; shown: ' + JSON.stringify(shown));
    await card.page().waitForTimeout(200);
  }
}
