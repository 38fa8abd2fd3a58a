// A receiver of Jobpulse's outbound webhooks for the tests, which checks every delivery's Standard
// Webhooks signature with the `standardwebhooks` package: an implementation written apart from
// Jobpulse's signer, so that both cannot be wrong the same way. It needs no browser.
//
//   node webhook-receiver.mjs [--port <port, 0 for any>]
//
// Listens on 127.0.0.1 and prints JSON lines: {"listening": port} first, then for every request to
// a path other than /_control, as it arrives and before it is answered:
//   {"received": {"path", "id", "timestamp", "signature", "body", "verifiedBy", "answered", "at"}}
// where verifiedBy lists the indexes of the path's secrets whose signature verifies (empty when
// none does), answered is the status it is given and at the epoch milliseconds of its arrival.
//
// POST /_control {"path": "/x", "secrets": ["whsec_..."], "answers": [{"status": 500}, ...],
// "then": {"status": 200}} sets a path's secrets and the answers its next requests get in turn;
// once they are used up, `then` (by default 200 at once) answers all the others. An answer is
// {"status", "delayMs" (wait that long first, as a slow or hanging endpoint), "body" (its text)}.
// A path is matched without its query string; a path never configured has no secrets and gets 200.
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { emit, options } from './lib/cli.mjs';

const IMMEDIATE_OK = { status: 200, delayMs: 0 };
const behaviours = new Map();

function behaviourOf(path) {
  return behaviours.get(path) ?? { hooks: [], answers: [], then: IMMEDIATE_OK };
}

/** The indexes of the hooks whose secret verifies this delivery. */
function verifiedBy(hooks, body, headers) {
  const indexes = [];
  hooks.forEach((hook, index) => {
    try {
      hook.verify(body, headers);
      indexes.push(index);
    } catch {
      // Not signed by this secret (or too old, or not JSON): the index is left out.
    }
  });
  return indexes;
}

function answer(response, { status, delayMs = 0, body = '' }) {
  setTimeout(() => {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(body);
  }, delayMs);
}

function receive(path, request, body, response) {
  const at = Date.now();
  const behaviour = behaviourOf(path);
  const next = behaviour.answers.shift() ?? behaviour.then;
  const { headers } = request;
  const timestamp = Number.parseInt(headers['webhook-timestamp'], 10);
  emit({
    received: {
      path,
      id: headers['webhook-id'] ?? null,
      timestamp: Number.isNaN(timestamp) ? null : timestamp,
      signature: headers['webhook-signature'] ?? null,
      body,
      verifiedBy: verifiedBy(behaviour.hooks, body, headers),
      answered: next.status,
      at,
    },
  });
  answer(response, next);
}

function checkAnswer(answer) {
  if (!Number.isInteger(answer?.status) || answer.status < 200 || answer.status > 599) {
    throw new Error(`an answer needs a "status" from 200 to 599, got ${JSON.stringify(answer)}`);
  }
  return answer;
}

/** Sets a path's behaviour; a wrong answer or a secret the package cannot read is refused with 400. */
function control(body, response) {
  try {
    const { path, secrets = [], answers = [], then = IMMEDIATE_OK } = JSON.parse(body);
    if (typeof path !== 'string' || !path.startsWith('/') || path === '/_control') {
      throw new Error(`"path" must start with / and not be /_control, got ${JSON.stringify(path)}`);
    }
    [...answers, then].forEach(checkAnswer);
    behaviours.set(path, { hooks: secrets.map(secret => new Webhook(secret)), answers: [...answers], then });
    answer(response, { status: 204 });
  } catch (error) {
    answer(response, { status: 400, body: `bad /_control request: ${error.message}` });
  }
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', chunk => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(request.url, 'http://receiver').pathname;
    if (path === '/_control') {
      control(body, response);
    } else {
      receive(path, request, body, response);
    }
  });
});
server.listen(Number(options().port ?? 0), '127.0.0.1', () => emit({ listening: server.address().port }));
