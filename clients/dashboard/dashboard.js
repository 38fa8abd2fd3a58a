// The Jobpulse dashboard: sign in, then the signed-in user's jobs, live. Plain ES modules on the
// JavaScript client the server also serves; no build step.
import { createClient } from '/client/jobpulse-client.js';
import { STATUSES, describeToken, newestFirst } from './format.js';
import { JobRow, arrange } from './job-row.js';
import { JobPanel } from './job-panel.js';
import { EndpointsView } from './endpoints.js';
import { BatchesView } from './batches.js';

const TOKEN_KEY = 'jobpulse.token';
const PAGE_SIZE = 25;
const STATE_LABELS = { connecting: 'Connecting', open: 'Live', reconnecting: 'Reconnecting', closed: 'Disconnected' };

const $ = (id) => document.getElementById(id);

/** Everything the signed-in view holds; rebuilt on sign-in, dropped on sign-out. */
let session = null;

function start() {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    signIn($('token').value.trim());
  });
  $('sign-out').addEventListener('click', () => signOut());
  for (const tab of $('views').querySelectorAll('.view-tab')) tab.addEventListener('click', () => showView(tab.dataset.view));
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    signIn(token);
  } else {
    showSignIn();
  }
}

function showSignIn(message = '') {
  $('session').hidden = true;
  $('views').hidden = true;
  $('jobs').hidden = true;
  $('batches').hidden = true;
  $('endpoints').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  offerDevUsers();
}

/** On ./jobpulse dev, a button per dev user (GET /dev/sign-in is served only there, and the page is told). */
async function offerDevUsers() {
  if (!document.body.hasAttribute('data-dev-sign-in')) return;
  let users;
  try {
    const answer = await fetch('/dev/sign-in', { headers: { Accept: 'application/json' } });
    if (!answer.ok) return;
    users = (await answer.json()).users ?? [];
  } catch {
    return;
  }
  const buttons = $('dev-user-buttons');
  buttons.replaceChildren(...users.map((user) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button';
    button.dataset.user = user.name;
    button.textContent = `Sign in as ${user.name}`;
    button.addEventListener('click', () => signIn(user.token));
    return button;
  }));
  $('dev-users').hidden = users.length === 0;
}

let signingIn = false;

async function signIn(token) {
  if (!token || signingIn) return;
  signingIn = true;
  const jobpulse = createClient({ auth: token });
  try {
    await jobpulse.listJobs({ limit: 1 });
  } catch (error) {
    const refused = error.status === 401 || error.status === 403;
    // A token is forgotten when it is refused, not when the server could not be reached.
    if (refused) sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(refused
      ? 'That token was not accepted: it may have expired, or lack the jobs:read scope.'
      : `Could not reach Jobpulse: ${error.detail ?? error.message}`);
    return;
  } finally {
    signingIn = false;
  }
  session?.close();
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  $('sign-in').hidden = true;
  $('session').hidden = false;
  $('views').hidden = false;
  $('who').textContent = describeToken(token);
  session = new Session(jobpulse, token);
  showView('jobs');
}

/** Shows the jobs, the batches or the endpoints; batches and endpoints are read only while shown. */
function showView(view) {
  for (const tab of $('views').querySelectorAll('.view-tab')) {
    if (tab.dataset.view === view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  $('jobs').hidden = view !== 'jobs';
  $('batches').hidden = view !== 'batches';
  $('endpoints').hidden = view !== 'endpoints';
  for (const [name, part] of Object.entries({ endpoints: session?.endpoints, batches: session?.batches })) {
    if (view === name) part?.show();
    else part?.hide();
  }
}

function signOut(message = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  session?.close();
  session = null;
  showSignIn(message);
}

function toast(text, kind = 'error') {
  const note = document.createElement('div');
  note.className = `toast toast-${kind}`;
  note.textContent = text;
  $('toasts').append(note);
  setTimeout(() => note.remove(), 6000);
}

/**
 * The job list of one signed-in user: pages read with GET /v1/jobs (newest first, by cursor)
 * and changes from the client's watchJobs, merged by version, so an update never goes back.
 */
class Session {
  constructor(jobpulse, token) {
    this.jobpulse = jobpulse;
    this.token = token;
    this.jobs = new Map();
    this.rows = new Map();
    this.filter = { statuses: [], types: [], tag: '' };
    this.panel = new JobPanel(jobpulse, token, {
      onAction: (action, job) => this.act(action, job),
      onError: (error) => this.failed(error),
      onOpen: (id) => {
        this.rows.forEach((row, rowId) => row.element.classList.toggle('selected', rowId === id));
        this.batches?.select(id);
      },
    });
    this.endpoints = new EndpointsView(jobpulse, { onError: (error) => this.failed(error) });
    this.batches = new BatchesView(jobpulse, {
      onError: (error) => this.failed(error),
      openJob: (job) => this.panel.open(job),
      act: (action, job) => this.act(action, job),
    });
    this.buildFilters();
    this.ticker = setInterval(() => this.tick(), 1000);
    $('load-older').onclick = () => this.loadOlder();
    this.follow();
  }

  buildFilters() {
    const chips = $('status-chips');
    chips.replaceChildren(...STATUSES.map((status) => {
      const label = document.createElement('label');
      label.className = 'chip';
      label.dataset.status = status;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = status;
      box.addEventListener('change', () => this.changeFilter());
      label.append(box, document.createTextNode(status));
      return label;
    }));
    let typing;
    for (const input of [$('filter-type'), $('filter-tag')]) {
      input.value = '';
      input.oninput = () => {
        clearTimeout(typing);
        typing = setTimeout(() => this.changeFilter(), 400);
      };
    }
    $('filters').onsubmit = (event) => event.preventDefault();
  }

  changeFilter() {
    this.filter = {
      statuses: [...$('status-chips').querySelectorAll('input:checked')].map((box) => box.value),
      types: $('filter-type').value.split(',').map((type) => type.trim()).filter(Boolean),
      tag: $('filter-tag').value.trim(),
    };
    this.follow();
  }

  /** (Re)starts the list for the current filter: the stream first, then the first page, so no change falls between. */
  follow() {
    this.watch?.close();
    this.jobs.clear();
    this.rows.forEach((row) => row.element.remove());
    this.rows.clear();
    this.cursor = undefined;
    this.loaded = false;
    this.render();
    const { statuses, types, tag } = this.filter;
    const watchFilter = {};
    if (statuses.length) watchFilter.statuses = statuses;
    if (types.length) watchFilter.types = types;
    if (tag) watchFilter.tag = tag;
    const generation = (this.generation = (this.generation ?? 0) + 1);
    this.watch = this.jobpulse.watchJobs(watchFilter, {
      onJobs: (jobs) => generation === this.generation && this.merge(jobs),
      onUpdate: (update) => generation === this.generation && update?.job && this.merge([update.job]),
      onState: (state) => generation === this.generation && this.showConnection(state),
      onError: (error) => generation === this.generation && this.failed(error),
    });
    this.loadOlder();
  }

  /** The next page of older jobs (the first page when none is loaded). */
  async loadOlder() {
    const generation = this.generation;
    const { statuses, types, tag } = this.filter;
    const query = { limit: PAGE_SIZE };
    if (statuses.length) query.status = statuses.join(',');
    if (types.length) query.type = types.join(',');
    if (tag) query.tag = tag;
    if (this.cursor) query.cursor = this.cursor;
    $('load-older').disabled = true;
    try {
      const page = await this.jobpulse.listJobs(query);
      if (generation !== this.generation) return;
      this.cursor = page.nextCursor;
      this.loaded = true;
      if (!this.merge(page.items ?? page.jobs ?? [])) this.render();
    } catch (error) {
      if (generation === this.generation) this.failed(error);
    } finally {
      $('load-older').disabled = false;
    }
  }

  /** Keeps the newer versions of these jobs, and renders when one was; says whether one was. */
  merge(jobs) {
    let changed = false;
    for (const job of jobs) {
      const held = this.jobs.get(job.id);
      if (!held || (job.version ?? 0) > (held.version ?? 0)) {
        this.jobs.set(job.id, job);
        this.panel.offer(job);
        changed = true;
      }
    }
    if (changed) this.render();
    return changed;
  }

  /** A job is shown when it matches the filter now: a stream with a status filter also tells of jobs leaving it. */
  matches(job) {
    const { statuses, types, tag } = this.filter;
    return (!statuses.length || statuses.includes(job.status))
      && (!types.length || types.includes(job.type))
      && (!tag || (job.tags ?? []).includes(tag));
  }

  render() {
    const shown = [...this.jobs.values()].filter((job) => this.matches(job)).sort(newestFirst('createdAt'));
    const container = $('rows');
    const keep = new Set(shown.map((job) => job.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.element.remove();
        this.rows.delete(id);
      }
    }
    arrange(container, shown.map((job) => {
      let row = this.rows.get(job.id);
      if (!row) {
        row = new JobRow(job, (action) => this.act(action, this.jobs.get(job.id)), () => this.panel.open(this.jobs.get(job.id)));
        this.rows.set(job.id, row);
      } else if (row.job !== job) {
        // Only the rows whose job changed: with hundreds listed, rewriting every row on every change is most of the page's work.
        row.update(job);
      }
      return row.element;
    }));
    $('empty').hidden = !this.loaded || shown.length > 0;
    $('load-older').hidden = !this.cursor;
    $('count').textContent = this.loaded ? `${shown.length} job${shown.length === 1 ? '' : 's'} shown${this.cursor ? '' : ', all loaded'}` : '';
  }

  tick() {
    const now = Date.now();
    for (const row of this.rows.values()) row.tick(now);
    this.batches.tick(now);
    this.panel.tick(now);
  }

  showConnection(state) {
    const indicator = $('connection');
    indicator.dataset.state = state;
    indicator.querySelector('.connection-label').textContent = STATE_LABELS[state] ?? state;
  }

  failed(error) {
    if (error?.kind === 'unauthorized' || error?.status === 401) {
      this.expired();
      return;
    }
    toast(error?.detail ?? error?.message ?? String(error));
  }

  expired() {
    signOut('Your token was refused: it may have expired. Sign in again.');
  }

  async act(action, job) {
    try {
      const answer = action === 'cancel' ? await this.jobpulse.cancel(job.id) : await this.jobpulse.retry(job.id);
      if (answer && answer.id === job.id && answer.version) this.merge([answer]);
    } catch (error) {
      // Its buttons again, as no change of the job will come to re-enable them.
      const row = this.rows.get(job.id);
      if (row) row.update(row.job);
      this.failed(error);
    }
  }

  close() {
    this.generation = (this.generation ?? 0) + 1;
    this.watch?.close();
    clearInterval(this.ticker);
    this.panel.dispose();
    this.endpoints.close();
    this.batches.close();
    this.rows.forEach((row) => row.element.remove());
  }
}

start();
