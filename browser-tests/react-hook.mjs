// jobpulse-react's useJob in a page, under StrictMode: the job on screen follows every change live,
// once over Server-Sent Events (#sse) and once over a WebSocket (#websocket).
// The page is of another origin than Jobpulse's (one Jobpulse allows, JOBPULSE_CORS_ORIGINS), as an
// application's page would be; its own server plays the application's backend and hands it stream
// tokens (the page holds no other credential). jobpulse-client is served as it is, one ES module
// imported through an import map; React, react-dom and the hooks are bundled by esbuild.
//
//   node react-hook.mjs --base http://localhost:8080 --token <JWT> --job <job id> --page-port <port>
//
// Prints {"event":"text","element":"sse"|"websocket","text":..} each time a text on screen changes
// ("<state>|<status>:<progress>"), {"event":"stream","url":..} for each event stream the page opens,
// and ends once both watches closed.
import { emit, launch, options, run } from './lib/harness.mjs';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CLIENTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../clients');
const WAIT_MILLIS = 60000;

await run(async () => {
  const { base, token, job } = options();
  const pagePort = Number(options()['page-port']);
  const app = await bundle();
  const server = await pageServer(pagePort, base, token, app);
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    page.on('request', request => {
      if (new URL(request.url()).pathname.endsWith('/stream')) {
        emit({ event: 'stream', url: request.url() });
      }
    });
    page.on('pageerror', error => emit({ event: 'pageerror', error: String(error) }));
    await page.goto(`http://127.0.0.1:${pagePort}/?job=${encodeURIComponent(job)}`);
    const last = { sse: null, websocket: null };
    const deadline = Date.now() + WAIT_MILLIS;
    while (Date.now() < deadline) {
      for (const element of Object.keys(last)) {
        const text = await page.evaluate(id => document.getElementById(id)?.textContent ?? null, element);
        if (text !== last[element]) {
          emit({ event: 'text', element, text });
          last[element] = text;
        }
      }
      if (Object.values(last).every(text => text !== null && text.startsWith('closed|'))) {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 25));
    }
    throw new Error(`the watches did not close within ${WAIT_MILLIS} ms; last texts on screen: ${JSON.stringify(last)}`);
  } finally {
    await browser.close();
    server.close();
  }
});

/** React, react-dom and the page's app with jobpulse-react, as one ES module; jobpulse-client stays an import. */
async function bundle() {
  const react = path.join(CLIENTS, 'react');
  const esbuild = await import(pathToFileURL(path.join(react, 'node_modules/esbuild/lib/main.js')).href);
  const entry = `
    import { createElement as h, StrictMode } from 'react';
    import { createRoot } from 'react-dom/client';
    import { createClient } from 'jobpulse-client';
    import { JobpulseProvider, useJob } from ${JSON.stringify(path.join(react, 'src/jobpulse-react.js'))};

    function Job({ id, element, client }) {
      const { job, state, error } = useJob(id, { client });
      return h('p', { id: element }, error ? 'error|' + error.kind : state + '|' + (job ? job.status + ':' + job.progress : 'none'));
    }
    const options = {
      baseUrl: window.JOBPULSE_URL,
      streamToken: async ({ jobs }) => (await fetch('/stream-token?job=' + encodeURIComponent(jobs[0]), { method: 'POST' })).json(),
    };
    const client = createClient(options);
    const socketClient = createClient({ ...options, transports: ['websocket'] });
    const id = new URLSearchParams(location.search).get('job');
    createRoot(document.getElementById('root')).render(
      h(StrictMode, null, h(JobpulseProvider, { client },
        h(Job, { id, element: 'sse' }), h(Job, { id, element: 'websocket', client: socketClient }))));
  `;
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: react, loader: 'js' },
    bundle: true, format: 'esm', write: false, external: ['jobpulse-client'],
    define: { 'process.env.NODE_ENV': '"development"' },
    nodePaths: [path.join(react, 'node_modules')], logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** The page, its scripts, and the application's backend: POST /stream-token asks Jobpulse for a token with the JWT. */
function pageServer(port, base, jwt, app) {
  const html = `<!doctype html><title>a job</title>
    <script type="importmap">{"imports": {"jobpulse-client": "/jobpulse-client.js"}}</script>
    <script>window.JOBPULSE_URL = ${JSON.stringify(base)};</script>
    <div id="root"></div>
    <script type="module" src="/app.js"></script>`;
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url, `http://127.0.0.1:${port}`);
    const send = (status, type, body) => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      response.end(body);
    };
    if (url.pathname === '/') {
      send(200, 'text/html', html);
    } else if (url.pathname === '/app.js') {
      send(200, 'text/javascript', app);
    } else if (url.pathname === '/jobpulse-client.js') {
      send(200, 'text/javascript', fs.readFileSync(path.join(CLIENTS, 'js/src/jobpulse-client.js')));
    } else if (url.pathname === '/stream-token' && request.method === 'POST') {
      const answer = await fetch(base + '/v1/stream-tokens', {
        method: 'POST', headers: { Authorization: 'Bearer ' + jwt, 'Content-Type': 'application/json' },
        body: JSON.stringify({ jobs: [url.searchParams.get('job')] }),
      });
      send(answer.status, 'application/json', await answer.text());
    } else {
      send(404, 'text/plain', 'not here');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
