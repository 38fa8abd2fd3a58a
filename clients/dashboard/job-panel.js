// The panel of one opened job: its state, live through the client's watchJob, its results, and
// its timeline from GET /v1/jobs/{id}/history (the changes, and the raw events behind them,
// provider payloads included, each as collapsible JSON).
import { OPEN, RETRYABLE, elapsed, percent, preciseTime, when } from './format.js';
import { mediaOf, preview } from './results.js';

const HISTORY_PAGE = 100;
const HISTORY_PAGES = 5;
const HISTORY_RETRIES = 10;

const $ = (id) => document.getElementById(id);

export class JobPanel {
  constructor(jobpulse, token, { onAction, onError, onOpen }) {
    this.jobpulse = jobpulse;
    this.token = token;
    this.onAction = onAction;
    this.onError = onError;
    this.onOpen = onOpen;
    this.job = null;
    $('panel-close').onclick = () => this.close();
    this.onKey = (event) => event.key === 'Escape' && this.close();
    document.addEventListener('keydown', this.onKey);
  }

  open(job) {
    this.close();
    this.job = job;
    this.retries = 0;
    this.mediaKey = null;
    this.jsonKey = null;
    const body = $('panel-body');
    body.innerHTML = `
      <section class="facts">
        <div class="fact-line">
          <span class="badge"></span>
          <span class="bar bar-wide" role="progressbar" aria-valuemin="0" aria-valuemax="100"><span class="bar-fill"></span></span>
          <span class="pct num"></span>
        </div>
        <p class="panel-message"></p>
        <dl class="fact-grid"></dl>
        <div class="panel-actions">
          <button type="button" class="button" data-action="cancel">Cancel job</button>
          <button type="button" class="button" data-action="retry">Retry job</button>
        </div>
      </section>
      <section class="panel-media" hidden><h3>Result</h3><div class="media-grid"></div></section>
      <section class="panel-json"></section>
      <section class="timeline-section">
        <h3>Timeline</h3>
        <ol class="timeline"><li class="timeline-loading">Reading the history…</li></ol>
      </section>`;
    body.querySelector('.panel-actions').addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      if (button && this.job) {
        button.disabled = true;
        this.onAction(button.dataset.action, this.job);
      }
    });
    $('panel').hidden = false;
    document.body.classList.add('panel-open');
    this.onOpen(job.id);
    this.render();
    const id = job.id;
    this.watch = this.jobpulse.watchJob(id, {
      onJob: (next) => this.offer(next),
      onError: (error) => error?.kind !== 'ended' && error?.kind !== 'gone' && this.onError(error),
    });
    this.readHistory();
  }

  /** A newer state of the opened job, from its own watch or from the list's. */
  offer(job) {
    if (!this.job || job.id !== this.job.id || (job.version ?? 0) <= (this.job.version ?? 0)) return;
    this.job = job;
    this.retries = 0;
    this.render();
    // The history is read from the projections, a moment behind the stream.
    clearTimeout(this.historyTimer);
    this.historyTimer = setTimeout(() => this.readHistory(), 400);
  }

  render() {
    const { job } = this;
    const body = $('panel-body');
    $('panel-title').textContent = job.type;
    $('panel-id').textContent = job.id;
    const badge = body.querySelector('.badge');
    badge.textContent = job.status;
    badge.dataset.status = job.status;
    const pct = percent(job.progress);
    body.querySelector('.bar').setAttribute('aria-valuenow', String(pct));
    body.querySelector('.bar-fill').style.width = `${pct}%`;
    body.querySelector('.pct').textContent = `${pct}%`;
    const message = body.querySelector('.panel-message');
    message.textContent = job.error ? `${job.error.code ?? 'error'}: ${job.error.message ?? ''}` : job.message ?? '';
    message.classList.toggle('is-error', Boolean(job.error));
    const facts = [
      ['Elapsed', elapsed(job), 'elapsed'],
      ['Attempt', String(job.attempt ?? 1)],
      ['Version', String(job.version ?? '')],
      ['Created', when(job.createdAt)],
      ['Started', when(job.startedAt)],
      ['Finished', when(job.finishedAt)],
      ['Tags', (job.tags ?? []).join(', ')],
      ['Provider', job.provider ? [job.provider.name, job.provider.rawStatus].filter(Boolean).join(' · ') : ''],
      ['Deadline', when(job.deadline)],
      ['Canceled by', job.cancelRequestedBy ?? ''],
    ].filter(([, value]) => value);
    body.querySelector('.fact-grid').replaceChildren(...facts.flatMap(([name, value, role]) => {
      const term = document.createElement('dt');
      term.textContent = name;
      const detail = document.createElement('dd');
      detail.textContent = value;
      if (role) detail.dataset.fact = role;
      return [term, detail];
    }));
    const [cancel, retry] = body.querySelectorAll('.panel-actions button');
    cancel.hidden = !OPEN.has(job.status);
    retry.hidden = !RETRYABLE.has(job.status);
    cancel.disabled = retry.disabled = false;

    const media = mediaOf(job.result);
    const key = media.map((item) => item.url).join('\n');
    if (key !== this.mediaKey) {
      this.mediaKey = key;
      body.querySelector('.panel-media').hidden = media.length === 0;
      body.querySelector('.media-grid').replaceChildren(...media.map((item) => preview(item, 'large')));
    }
    $('panel').dataset.status = job.status;
    const sections = [['Input', job.input], ['Result', job.result], ['Metadata', job.metadata], ['Error', job.error]]
      .filter(([, value]) => value != null && !(typeof value === 'object' && Object.keys(value).length === 0));
    // Rebuilt only when they change, so a section someone opened stays open while progress streams in.
    const jsonKey = JSON.stringify(sections);
    if (jsonKey !== this.jsonKey) {
      this.jsonKey = jsonKey;
      const json = body.querySelector('.panel-json');
      const open = new Set([...json.querySelectorAll('details[open]')].map((details) => details.dataset.key));
      json.replaceChildren(...sections.map(([name, value]) => {
        const details = collapsible(name, value, open.has(name) || name === 'Result' || name === 'Error');
        details.dataset.key = name;
        return details;
      }));
    }
  }

  tick(now) {
    const cell = this.job && $('panel-body').querySelector('[data-fact="elapsed"]');
    if (cell) cell.textContent = elapsed(this.job, now);
  }

  /**
   * Reads the changes and the raw events (up to a few pages of each, from the first) and shows them
   * as one timeline, newest first.
   */
  async readHistory() {
    const id = this.job?.id;
    if (!id) return;
    const reading = (this.reading = (this.reading ?? 0) + 1);
    let changes;
    let events;
    try {
      [changes, events] = await Promise.all([this.pages(id, 'changes', ''), this.pages(id, 'events', '&raw=true')]);
    } catch (error) {
      if (reading === this.reading && this.job?.id === id) {
        const list = $('panel-body').querySelector('.timeline');
        list.replaceChildren(item('timeline-loading', error.status === 404
          ? 'The history is not there yet; it follows a moment behind.' : `The history could not be read: ${error.message}`));
        if (error.status === 404) this.readAgain();
      }
      return;
    }
    if (reading !== this.reading || this.job?.id !== id) return;
    if (!changes.more && Math.max(0, ...changes.map((change) => change.version)) < (this.job.version ?? 0)) this.readAgain();
    const byCause = new Map(events.map((event) => [event.eventId, event]));
    const entries = changes.map((change) => ({ at: change.at, change, event: byCause.get(change.causeEventId) }));
    for (const event of events) {
      if (event.appliedAs == null) entries.push({ at: event.receivedAt, event });
    }
    entries.sort((a, b) => (a.at ?? '').localeCompare(b.at ?? '') || (a.change?.version ?? 1e9) - (b.change?.version ?? 1e9));
    const list = $('panel-body').querySelector('.timeline');
    const open = new Set([...list.querySelectorAll('details[open]')].map((details) => details.dataset.key));
    list.replaceChildren(...entries.reverse().map((entry) => timelineEntry(entry, open)));
    if (changes.more || events.more) {
      list.prepend(item('timeline-loading', `The first ${HISTORY_PAGE * HISTORY_PAGES} changes and events are shown; the API has the rest.`));
    }
  }

  /** The history follows the stream by a few milliseconds: a read that is behind the job is done again, a few times. */
  readAgain() {
    if (this.retries++ >= HISTORY_RETRIES) return;
    clearTimeout(this.historyTimer);
    this.historyTimer = setTimeout(() => this.readHistory(), 500);
  }

  async pages(id, field, extra) {
    const all = [];
    let cursor = '';
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const answer = await fetch(`/v1/jobs/${encodeURIComponent(id)}/history?limit=${HISTORY_PAGE}${extra}${cursor}`, {
        headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
      });
      if (!answer.ok) {
        const problem = await answer.json().catch(() => ({}));
        const error = new Error(problem.detail ?? `HTTP ${answer.status}`);
        error.status = answer.status;
        if (answer.status === 401) this.onError({ kind: 'unauthorized', status: 401 });
        throw error;
      }
      const body = await answer.json();
      all.push(...(body[field] ?? []));
      all.more = Boolean(body.nextCursor);
      if (!body.nextCursor) break;
      cursor = `&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    return all;
  }

  /** Closes the panel and lets go of the page (on sign-out). */
  dispose() {
    this.close();
    document.removeEventListener('keydown', this.onKey);
  }

  close() {
    this.watch?.close();
    this.watch = null;
    this.job = null;
    this.reading = (this.reading ?? 0) + 1;
    clearTimeout(this.historyTimer);
    $('panel').hidden = true;
    document.body.classList.remove('panel-open');
    this.onOpen(null);
  }
}

function item(className, text) {
  const li = document.createElement('li');
  li.className = className;
  li.textContent = text;
  return li;
}

function timelineEntry({ at, change, event }, open) {
  const li = document.createElement('li');
  li.className = change ? 'timeline-entry' : 'timeline-entry refused';
  if (change) li.dataset.status = change.status;
  const head = document.createElement('div');
  head.className = 'timeline-head';
  const time = document.createElement('time');
  time.className = 'num';
  time.dateTime = at ?? '';
  time.textContent = preciseTime(at);
  const what = document.createElement('span');
  what.className = 'timeline-what';
  what.textContent = change ? change.summary ?? change.status : 'not applied';
  const version = document.createElement('span');
  version.className = 'timeline-version num';
  version.textContent = change ? `v${change.version}` : '';
  head.append(time, version, what);
  li.append(head);
  const cause = document.createElement('span');
  cause.className = 'timeline-cause mono';
  cause.textContent = change?.causeEventType ?? event?.type ?? '';
  li.append(cause);
  if (event) {
    const details = collapsible(event.event?.raw ? 'Event, with the provider\'s payload' : 'Event', event.event ?? event, false);
    details.dataset.key = event.eventId;
    details.open = open.has(event.eventId);
    li.append(details);
  }
  return li;
}

function collapsible(title, value, startOpen) {
  const details = document.createElement('details');
  details.className = 'json';
  details.open = startOpen;
  const summary = document.createElement('summary');
  summary.textContent = title;
  const pre = document.createElement('pre');
  pre.textContent = JSON.stringify(value, null, 2);
  details.append(summary, pre);
  return details;
}
