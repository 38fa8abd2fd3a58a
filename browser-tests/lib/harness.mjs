// What every browser test script shares: Debian's Chromium driven by playwright-core (never a
// browser playwright downloads), a fresh profile per run, JSON lines on stdout for the JUnit side
// to read and command-line options (from cli.mjs), and tiny static pages on other origins.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { emit } from './cli.mjs';

export { emit, options } from './cli.mjs';

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Starts Chromium with a fresh profile; close() stops it and deletes the profile. */
export async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'jobpulse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page 1280 px wide whose script errors and console errors become lines ({"pageError"}, {"console"}). */
export async function reportingPage(browser) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  page.on('pageerror', (error) => emit({ pageError: String(error) }));
  page.on('console', (message) => message.type() === 'error' && emit({ console: message.text() }));
  return page;
}

/** Serves an empty page on 127.0.0.1:port, so that a page can have that origin. */
export function blankPages(port) {
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!doctype html><title>another origin</title>');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Runs main, prints its failure as a JSON line and exits 1 if it throws, 0 when it returns. */
export async function run(main) {
  try {
    await main();
    process.exit(0);
  } catch (error) {
    emit({ failed: String(error && error.stack || error) });
    process.exit(1);
  }
}
