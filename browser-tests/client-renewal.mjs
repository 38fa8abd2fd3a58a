// jobpulse-client in a page, as served by Jobpulse (/client/jobpulse-client.js, imported with no
// build step), follows a job with short-lived stream tokens across several expiries: once over
// Server-Sent Events, once over a WebSocket. The page's streamToken callback stands for the
// application's backend (it asks POST /v1/stream-tokens with the user's JWT) and counts its calls.
//
//   node client-renewal.mjs --base http://localhost:8080 --token <JWT> --job <job id>
//
// Prints {"transport":..,"event":"job","version":..,"status":..} for each state the watch hands the
// page, {"transport":..,"event":"token","count":n} for each token asked for, {"transport":..,
// "event":"error","kind":..} for errors, and {"transport":..,"event":"end"} when the job ended.
import { emit, launch, options, run } from './lib/harness.mjs';

const WAIT_MILLIS = 120000;

await run(async () => {
  const { base, token, job } = options();
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.exposeFunction('report', fact => emit(fact));
    page.on('pageerror', error => emit({ event: 'pageerror', error: String(error) }));
    await page.goto(base + '/health');
    await page.evaluate(async ({ jwt, job, wait }) => {
      const { createClient } = await import('/client/jobpulse-client.js');
      const follow = transport => new Promise((resolve, reject) => {
        let tokens = 0;
        const client = createClient({
          transports: [transport],
          streamToken: async ({ jobs }) => {
            window.report({ transport, event: 'token', count: ++tokens });
            const answer = await fetch('/v1/stream-tokens', {
              method: 'POST', headers: { Authorization: 'Bearer ' + jwt, 'Content-Type': 'application/json' },
              body: JSON.stringify({ jobs }),
            });
            return answer.json();
          },
        });
        const timer = setTimeout(() => reject(new Error(transport + ': the job did not end within ' + wait + ' ms')), wait);
        const watch = client.watchJob(job, {
          onJob: state => window.report({ transport, event: 'job', version: state.version, status: state.status }),
          onError: error => window.report({ transport, event: 'error', kind: error.kind, detail: String(error.message) }),
          onEnd: () => {
            clearTimeout(timer);
            watch.close();
            window.report({ transport, event: 'end' }).then(resolve);
          },
        });
      });
      await Promise.all([follow('sse'), follow('websocket')]);
    }, { jwt: token, job, wait: WAIT_MILLIS });
    await page.close();
  } finally {
    await browser.close();
  }
});
