// A real Jobpulse for the tests: the one named by JOBPULSE_URL (with JOBPULSE_ALICE and JOBPULSE_BOB,
// for instance a running `./jobpulse dev`, or the one JavaScriptClientTest starts), else a
// `jobpulse dev` of its own in a separate process, on free ports, with its data in a temporary
// directory and a short stream-token life, started once for a whole test file.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** How long a stream token lasts on a dev this helper starts, and how long before its end the stream is told. */
export const STREAM_TOKEN_TTL_SECONDS = 8;
export const TOKEN_EXPIRING_NOTICE_SECONDS = 4;

/**
 * Starts (or names) a Jobpulse. Resolves to {url, alice, bob, streamTokenTtlSeconds, stop()}:
 * streamTokenTtlSeconds is null when the instance's stream-token life is not known to be short.
 */
export async function startJobpulse() {
  if (process.env.JOBPULSE_URL) {
    if (!process.env.JOBPULSE_ALICE || !process.env.JOBPULSE_BOB) {
      throw new Error('JOBPULSE_URL needs JOBPULSE_ALICE and JOBPULSE_BOB: the tokens `./jobpulse dev` prints');
    }
    const ttl = Number(process.env.JOBPULSE_STREAM_TOKEN_TTL_SECONDS);
    return {
      url: process.env.JOBPULSE_URL.replace(/\/+$/, ''),
      alice: process.env.JOBPULSE_ALICE,
      bob: process.env.JOBPULSE_BOB,
      streamTokenTtlSeconds: Number.isFinite(ttl) && ttl > 0 ? ttl : null,
      stop: async () => {},
    };
  }
  return startDev();
}

async function startDev() {
  const home = mkdtempSync(join(tmpdir(), 'jobpulse-client-test-'));
  const http = await freePort();
  const kafka = await freePortWithFreeNext();
  const postgres = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) =>
    !name.startsWith('JOBPULSE_') && name !== 'KAFKA_BOOTSTRAP_SERVERS' && !name.startsWith('JDBC_')));
  Object.assign(env, {
    JOBPULSE_HOME: home,
    JOBPULSE_PORT: String(http),
    JOBPULSE_DEV_KAFKA_PORT: String(kafka),
    JOBPULSE_DEV_POSTGRES_PORT: String(postgres),
    JOBPULSE_STATE_DIR: join(home, 'streams'),
    JOBPULSE_SECURITY_STREAM_TOKEN_TTL: `${STREAM_TOKEN_TTL_SECONDS}s`,
    JOBPULSE_PUSH_TOKEN_EXPIRING_NOTICE: `${TOKEN_EXPIRING_NOTICE_SECONDS}s`,
    JOBPULSE_PUSH_RETRY: '200ms',
  });
  const dev = spawn(java(), ['--enable-native-access=ALL-UNNAMED', ...classpath(), 'io.jobpulse.app.Jobpulse', 'dev'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => dev.kill('SIGKILL');
  process.once('exit', killOnExit);
  const output = [];
  const exited = new Promise((done) => dev.once('exit', (code, signal) => done({ code, signal })));
  dev.stderr.on('data', (chunk) => output.push(String(chunk)));
  const tokens = await new Promise((ready, failed) => {
    let text = '';
    const found = {};
    const timeout = setTimeout(() => failed(new Error(`jobpulse dev was not ready within 120 s:\n${output.join('')}`)), 120_000);
    dev.stdout.on('data', (chunk) => {
      text += chunk;
      output.push(String(chunk));
      for (const name of ['ALICE', 'BOB']) {
        const match = text.match(new RegExp(`export ${name}=(\\S+)`));
        if (match) found[name] = match[1];
      }
      if (found.ALICE && found.BOB) {
        clearTimeout(timeout);
        ready(found);
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timeout);
      failed(new Error(`jobpulse dev stopped (exit ${code}) before it was ready:\n${output.join('')}`));
    });
  });
  return {
    url: `http://127.0.0.1:${http}`,
    alice: tokens.ALICE,
    bob: tokens.BOB,
    streamTokenTtlSeconds: STREAM_TOKEN_TTL_SECONDS,
    async stop() {
      process.removeListener('exit', killOnExit);
      dev.kill('SIGTERM');
      const stopped = await Promise.race([exited, new Promise((done) => setTimeout(done, 60_000).unref())]);
      if (!stopped) {
        dev.kill('SIGKILL');
        await exited;
      }
      dev.stdout.destroy();
      dev.stderr.destroy();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The JDK: JOBPULSE_JAVA, else JAVA_HOME's, else the newest Temurin here, else `java` on the PATH. */
function java() {
  if (process.env.JOBPULSE_JAVA) return process.env.JOBPULSE_JAVA;
  for (const home of [process.env.JAVA_HOME, '/usr/lib/jvm/temurin-25-jdk-amd64', '/usr/lib/jvm/temurin-21-jdk-amd64']) {
    if (home && existsSync(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  }
  return 'java';
}

/** Jobpulse's classes: JOBPULSE_CLASSPATH (a test classpath), else the jar `./jobpulse build` makes. */
function classpath() {
  if (process.env.JOBPULSE_CLASSPATH) return ['-cp', process.env.JOBPULSE_CLASSPATH];
  const jar = process.env.JOBPULSE_JAR ?? join(ROOT, 'app', 'target', 'jobpulse.jar');
  if (!existsSync(jar)) {
    throw new Error(`no ${jar}: build it with \`./jobpulse build\`, or point JOBPULSE_URL at a running \`./jobpulse dev\``);
  }
  return ['-cp', jar];
}

function freePort() {
  return new Promise((done, failed) => {
    const server = net.createServer();
    server.once('error', failed);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((done) => {
    const server = net.createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** A free port whose next is free too: dev puts its broker's controller on the port after the broker's. */
async function freePortWithFreeNext() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await portIsFree(port + 1))) return port;
  }
  throw new Error('no two free ports in a row on loopback');
}
