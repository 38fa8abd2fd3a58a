// A page opens Jobpulse's WebSocket the way browsers do: with its Origin, and a stream token (a
// page cannot set headers on a WebSocket). Three pages: one of Jobpulse's own origin, one of an
// origin Jobpulse allows (JOBPULSE_CORS_ORIGINS), one of an origin it does not.
//
//   node ws-from-page.mjs --base http://localhost:8080 --token <JWT> --job <job id> \
//        --allowed-port <port> --other-port <port>
//
// For each of the first two pages: {"page":..,"event":"snapshot"} once the job's snapshot arrived
// (the test then reports a change), {"page":..,"event":"update",..} with the change, then
// {"page":..,"event":"closed","code":1000,"wasClean":true} after the page closed the socket.
// For the third: {"page":"other","opened":false,"code":..} once the socket failed.
import { blankPages, emit, launch, options, run } from './lib/harness.mjs';

const WAIT_MILLIS = 20000;

await run(async () => {
  const { base, token, job } = options();
  const allowedPort = Number(options()['allowed-port']);
  const otherPort = Number(options()['other-port']);
  const servers = [await blankPages(allowedPort), await blankPages(otherPort)];
  const browser = await launch();
  try {
    await follow(browser, 'own', base + '/health', base, token, job);
    await follow(browser, 'allowed', `http://127.0.0.1:${allowedPort}/`, base, token, job);
    await refused(browser, 'other', `http://127.0.0.1:${otherPort}/`, base, token, job);
  } finally {
    await browser.close();
    servers.forEach(server => server.close());
  }
});

/** The page asks for a stream token, subscribes to the job, takes its snapshot and one change, and closes. */
async function follow(browser, name, pageUrl, base, jwt, job) {
  const page = await browser.context.newPage();
  await page.exposeFunction('report', fact => emit({ page: name, ...fact }));
  await page.goto(pageUrl);
  const origin = await page.evaluate(() => location.origin);
  emit({ page: name, origin });
  await page.evaluate(async ({ base, jwt, job, wait }) => {
    const answer = await fetch(base + '/v1/stream-tokens', {
      method: 'POST', headers: { Authorization: 'Bearer ' + jwt, 'Content-Type': 'application/json' },
      body: JSON.stringify({ jobs: [job] }),
    });
    if (answer.status !== 201 && answer.status !== 200) {
      throw new Error('stream token: ' + answer.status + ' ' + await answer.text());
    }
    const { token } = await answer.json();
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no update and close within ' + wait + ' ms')), wait);
      const socket = new WebSocket(base.replace(/^http/, 'ws') + '/v1/ws?token=' + encodeURIComponent(token));
      let snapshot = null;
      socket.onopen = () => socket.send(JSON.stringify({ type: 'subscribe', id: 's1', job }));
      socket.onmessage = async event => {
        const message = JSON.parse(event.data);
        await window.report({ event: 'message', type: message.type, id: message.id ?? message.subscription });
        if (message.type !== 'update') {
          return;
        }
        if (snapshot === null) {
          snapshot = message.update;
          await window.report({ event: 'snapshot', version: message.update.version, snapshot: message.update.snapshot });
        } else {
          await window.report({ event: 'update', version: message.update.version, status: message.update.status, snapshot: message.update.snapshot });
          socket.close(1000, 'done');
        }
      };
      socket.onerror = () => window.report({ event: 'error' });
      socket.onclose = async event => {
        clearTimeout(timer);
        await window.report({ event: 'closed', code: event.code, wasClean: event.wasClean });
        resolve();
      };
    });
  }, { base, jwt, job, wait: WAIT_MILLIS });
  await page.close();
}

/** The page tries to open a socket with a valid stream token (fetched for it: its origin may not ask). */
async function refused(browser, name, pageUrl, base, jwt, job) {
  const answer = await fetch(base + '/v1/stream-tokens', {
    method: 'POST', headers: { Authorization: 'Bearer ' + jwt, 'Content-Type': 'application/json' },
    body: JSON.stringify({ jobs: [job] }),
  });
  const { token } = await answer.json();
  const page = await browser.context.newPage();
  await page.goto(pageUrl);
  const origin = await page.evaluate(() => location.origin);
  const outcome = await page.evaluate(({ base, token, wait }) => new Promise(resolve => {
    const socket = new WebSocket(base.replace(/^http/, 'ws') + '/v1/ws?token=' + encodeURIComponent(token));
    let opened = false;
    let error = false;
    const timer = setTimeout(() => resolve({ opened, error, code: null }), wait);
    socket.onopen = () => { opened = true; };
    socket.onerror = () => { error = true; };
    socket.onclose = event => { clearTimeout(timer); resolve({ opened, error, code: event.code }); };
  }), { base, token, wait: WAIT_MILLIS });
  emit({ page: name, origin, ...outcome });
  await page.close();
}
