// A page follows a job with the browser's own EventSource, given nothing but a URL with a stream
// token in it, as the streaming guide shows: one EventSource on the job's stream, one on the
// stream of all the user's jobs. The test cuts their connections (through a proxy it controls);
// the browser reconnects by itself to the same URLs with Last-Event-ID, and the page's code does
// nothing about it.
//
//   node eventsource-cut.mjs --base http://127.0.0.1:<proxy port> --job <job id> \
//        --job-stream /v1/jobs/<id>/stream?token=<t1> --all-stream /v1/stream?token=<t2>
//
// Prints {"stream":"job"|"all","event":"open"} on every (re)connect, {"stream":..,"event":"update",
// "version":..,"status":..} for each update of the job, and {"stream":..,"event":"done"} once
// that stream has seen the job's terminal state.
import { emit, launch, options, run } from './lib/harness.mjs';

const WAIT_MILLIS = 90000;
const { base, job } = options();
const streams = { job: options()['job-stream'], all: options()['all-stream'] };

await run(async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.exposeFunction('report', fact => emit(fact));
    // The page is of the stream's own origin, as a page served beside the API would be.
    await page.goto(base + '/health');
    await page.evaluate(({ streams, job, wait }) => Promise.all(Object.entries(streams).map(([name, url]) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(name + ': no terminal state within ' + wait + ' ms')), wait);
        const source = new EventSource(url);
        const apply = event => {
          const update = JSON.parse(event.data);
          if (update.jobId !== job) {
            return;
          }
          window.report({ stream: name, event: 'update', version: update.version, status: update.status, id: event.lastEventId });
          if (['succeeded', 'failed', 'canceled', 'expired'].includes(update.status)) {
            clearTimeout(timer);
            source.close();
            window.report({ stream: name, event: 'done' }).then(resolve);
          }
        };
        source.addEventListener('status', apply);
        source.addEventListener('progress', apply);
        source.addEventListener('reset', () => window.report({ stream: name, event: 'reset' }));
        source.onopen = () => window.report({ stream: name, event: 'open' });
        source.onerror = () => window.report({ stream: name, event: 'error', readyState: source.readyState });
      }))), { streams, job, wait: WAIT_MILLIS });
    await page.close();
  } finally {
    await browser.close();
  }
});
