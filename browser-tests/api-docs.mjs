// The API reference page as a person opens it, in Chromium: /docs renders the operations of
// /openapi.yml, and every request the page makes stays on the server that served it.
//
//   node api-docs.mjs --base http://localhost:8080 --screenshot <file.png> --summary "<an operation's summary>"
//
// Prints one JSON line: {"step":"rendered","summaryVisible":true,"operations":<count>,
// "requests":[every URL the page asked for],"offServer":[those not on --base],"screenshot":<file>}.
import { emit, launch, options, reportingPage, run } from './lib/harness.mjs';

await run(async () => {
  const { base, screenshot, summary } = options();
  const browser = await launch();
  try {
    const page = await reportingPage(browser);
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(base + '/docs');
    await page.waitForSelector('.opblock-summary-description', { timeout: 30000 });
    const wanted = page.locator('.opblock-summary-description', { hasText: summary }).first();
    await wanted.waitFor({ state: 'visible', timeout: 30000 });
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: screenshot, fullPage: false });
    const origin = new URL(base).origin;
    emit({
      step: 'rendered',
      summaryVisible: await wanted.isVisible(),
      operations: await page.locator('.opblock').count(),
      requests,
      offServer: requests.filter((url) => !url.startsWith(origin + '/') && !url.startsWith('data:')),
      screenshot,
    });
  } finally {
    await browser.close();
  }
});
