// Follows one job's stream with the `eventsource` package (a WHATWG EventSource for Node) and
// prints every update as a JSON line; EventSource reconnects by itself, sending Last-Event-ID.
// Exits 0 after the job's terminal state, 1 on an unexpected end.
// Usage: node follow-job.mjs <stream url> [bearer token]
// Without a bearer token the URL carries its credential (?token=<stream token>), as a browser's
// EventSource would: every reconnect presents the same URL.
import { EventSource } from 'eventsource';

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'expired']);
const bearer = process.argv[3];
const source = bearer === undefined ? new EventSource(process.argv[2]) : new EventSource(process.argv[2], {
  fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, Authorization: `Bearer ${bearer}` } }),
});

function print(event) {
  const update = JSON.parse(event.data);
  console.log(JSON.stringify({ event: event.type, id: event.lastEventId, version: update.version, status: update.status }));
  if (TERMINAL.has(update.status)) {
    source.close();
    process.exit(0);
  }
}

source.addEventListener('status', print);
source.addEventListener('progress', print);
source.addEventListener('open', () => console.log(JSON.stringify({ open: true })));
source.addEventListener('error', () => console.log(JSON.stringify({ error: true, readyState: source.readyState })));
setTimeout(() => { console.log(JSON.stringify({ timeout: true })); process.exit(1); }, 60_000);
