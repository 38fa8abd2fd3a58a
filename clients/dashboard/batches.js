// The batches view: the signed-in user's batches (GET /v1/batches), newest first, each one row with
// one progress bar and a summary ("7 of 10 done, 2 running, 1 failed, 73%"), live through the
// client's watchBatch. A row opens into the batch's jobs (GET /v1/batches/{id}/jobs), which the
// same watch keeps live. The list itself has no stream: it is read again every few seconds while
// shown, which is how new batches appear.
import { elapsed, newestFirst, percent, shortId, when } from './format.js';
import { JobRow, arrange } from './job-row.js';

const REFRESH_MS = 3000;
const PAGE_SIZE = 25;
const JOBS_SHOWN = 100;
/**
 * Batches followed live at once. Each watch holds one of the six connections a browser keeps to
 * one origin over HTTP/1.1, and the jobs' stream, the job panel and the requests need theirs.
 */
const LIVE_AT_ONCE = 3;
const FINISHED = new Set(['succeeded', 'failed', 'partial', 'canceled']);
/** The counts a summary names after "done", in this order. */
const NAMED_COUNTS = ['running', 'queued', 'failed', 'canceled', 'expired'];

const $ = (id) => document.getElementById(id);

/** "7 of 10 done, 2 running, 1 failed, 73%": what a batch's row says of it. */
export function summary(batch) {
  const counts = batch.counts ?? {};
  const parts = [`${batch.done ?? 0} of ${batch.total ?? 0} done`];
  for (const name of NAMED_COUNTS) if (counts[name] > 0) parts.push(`${counts[name]} ${name}`);
  parts.push(`${percent(batch.progress)}%`);
  return parts.join(', ');
}

export class BatchesView {
  /**
   * @param onError  called with a failed request's error, as the jobs view reports them
   * @param openJob  opens a job in the job panel
   * @param act      cancels or retries a job (a promise)
   */
  constructor(jobpulse, { onError, openJob, act }) {
    this.jobpulse = jobpulse;
    this.onError = onError;
    this.openJob = openJob;
    this.act = act;
    this.batches = new Map();
    this.rows = new Map();
    this.watches = new Map();
  }

  show() {
    this.shown = true;
    this.refresh();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
  }

  /** Stops reading and watching: the connections are the jobs view's again. */
  hide() {
    this.shown = false;
    clearInterval(this.timer);
    this.watches.forEach((watch) => watch.close());
    this.watches.clear();
  }

  async refresh() {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const page = await this.jobpulse.request('GET', '/v1/batches', { query: { limit: PAGE_SIZE } });
      if (!this.shown) return;
      this.loaded = true;
      this.merge(page.items ?? []);
      this.render();
      // An opened batch whose jobs disagree with its counts (not all projected yet, or a change
      // that came while it was not watched): its jobs are read again.
      for (const row of this.rows.values()) if (row.expanded && !row.agrees()) row.readJobs();
    } catch (error) {
      this.onError(error);
    } finally {
      this.refreshing = false;
    }
  }

  /** Keeps the newer version of each batch, whether the list or the batch's stream told it. */
  merge(batches) {
    for (const batch of batches) {
      const held = this.batches.get(batch.id);
      if (!held || (batch.version ?? 0) > (held.version ?? 0)) {
        this.batches.set(batch.id, batch);
        this.rows.get(batch.id)?.update(batch);
      }
    }
  }

  render() {
    const shown = [...this.batches.values()].sort(newestFirst('openedAt')).slice(0, PAGE_SIZE);
    const container = $('batch-rows');
    const keep = new Set(shown.map((batch) => batch.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    arrange(container, shown.map((batch) => {
      if (!this.rows.has(batch.id)) this.rows.set(batch.id, new BatchRow(batch, this));
      return this.rows.get(batch.id).element;
    }));
    $('batches-empty').hidden = !this.loaded || shown.length > 0;
    this.follow(shown);
  }

  /** Watches the unfinished batches shown, the opened ones first, at most LIVE_AT_ONCE of them. */
  follow(shown) {
    const wanted = shown.filter((batch) => !FINISHED.has(batch.status))
      .sort((a, b) => Number(this.rows.get(b.id).expanded) - Number(this.rows.get(a.id).expanded))
      .slice(0, LIVE_AT_ONCE).map((batch) => batch.id);
    const listed = new Set(shown.map((batch) => batch.id));
    for (const [id, watch] of this.watches) {
      // A finished batch's watch is left to end by itself, after the job change that finished it.
      const ending = FINISHED.has(this.batches.get(id)?.status);
      if (!listed.has(id) || (!ending && !wanted.includes(id))) {
        watch.close();
        this.watches.delete(id);
      }
    }
    for (const id of wanted) {
      if (this.watches.has(id) || this.watches.size >= LIVE_AT_ONCE) continue;
      const watch = this.jobpulse.watchBatch(id, {
        jobs: true,
        onChange: (batch) => this.merge([batch]),
        // An opened batch's jobs; a closed one's are read when it is opened.
        onJob: (job) => this.rows.get(id)?.expanded && this.rows.get(id).mergeJobs([job]),
        // The stream tells the jobs' changes from now on: where they stand is read at each (re)connection.
        onState: (state) => state === 'open' && this.rows.get(id)?.expanded && this.rows.get(id).readJobs(),
        onEnd: (batch) => {
          if (this.watches.get(id) === watch) this.watches.delete(id);
          this.merge([batch]);
          if (this.shown) this.render();
        },
        onError: (error) => this.onError(error),
      });
      this.watches.set(id, watch);
    }
  }

  tick(now) {
    if (this.shown) this.rows.forEach((row) => row.tick(now));
  }

  /** Marks the job opened in the panel among the batches' jobs. */
  select(id) {
    for (const row of this.rows.values()) row.jobRows.forEach((jobRow, jobId) => jobRow.element.classList.toggle('selected', jobId === id));
  }

  close() {
    this.hide();
    this.rows.forEach((row) => row.remove());
    this.rows.clear();
    this.batches.clear();
    this.loaded = false;
    $('batches-empty').hidden = true;
  }
}

/** One batch's row, updated in place, and the list of its jobs below it once opened. */
class BatchRow {
  constructor(batch, view) {
    this.view = view;
    this.expanded = false;
    this.jobs = new Map();
    this.jobRows = new Map();
    const element = document.createElement('div');
    element.className = 'batch';
    element.dataset.batchId = batch.id;
    element.innerHTML = `
      <div class="row batch-row" role="row" tabindex="0" aria-expanded="false">
        <span class="cell-job" role="cell"><span class="job-type"><span class="chevron" aria-hidden="true"></span><span class="batch-name"></span></span><span class="job-meta mono"></span></span>
        <span class="cell-status" role="cell"><span class="badge"></span></span>
        <span class="cell-progress" role="cell">
          <span class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"><span class="bar-fill"></span></span>
        </span>
        <span class="cell-elapsed num" role="cell"></span>
        <span class="cell-summary num" role="cell"></span>
      </div>
      <div class="batch-jobs" role="rowgroup" hidden></div>`;
    const head = element.querySelector('.batch-row');
    head.addEventListener('click', () => this.toggle());
    head.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && event.target === head) this.toggle();
    });
    this.element = element;
    this.head = head;
    this.cells = Object.fromEntries([...element.querySelectorAll('[class]')].map((cell) => [cell.className.split(' ')[0], cell]));
    this.update(batch);
  }

  update(batch) {
    this.batch = batch;
    const { cells } = this;
    this.element.dataset.status = batch.status;
    const name = typeof batch.metadata?.name === 'string' ? batch.metadata.name : (batch.tags ?? []).join(', ');
    cells['batch-name'].textContent = name || 'Batch';
    cells['job-meta'].textContent = `${shortId(batch.id)} · ${when(batch.openedAt)}`;
    cells['job-meta'].title = batch.id;
    cells.badge.textContent = batch.status;
    cells.badge.dataset.status = batch.status;
    const pct = percent(batch.progress);
    cells.bar.setAttribute('aria-valuenow', String(pct));
    cells['bar-fill'].style.width = `${pct}%`;
    cells['cell-summary'].textContent = summary(batch);
    this.tick(Date.now());
  }

  tick(now) {
    const { batch } = this;
    // A batch's time: from its first job's start (or its opening) to its last job's end once finished.
    const span = { createdAt: batch.openedAt, startedAt: batch.firstStartedAt, finishedAt: FINISHED.has(batch.status) ? batch.lastFinishedAt ?? batch.updatedAt : null };
    const text = elapsed(span, now);
    if (this.cells['cell-elapsed'].textContent !== text) this.cells['cell-elapsed'].textContent = text;
    this.jobRows.forEach((row) => row.tick(now));
  }

  toggle() {
    this.expanded = !this.expanded;
    this.head.setAttribute('aria-expanded', String(this.expanded));
    this.cells['batch-jobs'].hidden = !this.expanded;
    if (this.expanded) {
      this.readJobs();
      // An opened batch is watched first, so that its jobs stay live.
      this.view.render();
    }
  }

  /** Whether the jobs held agree with the batch's counts; a batch of more jobs than are shown is taken at its stream's word. */
  agrees() {
    if ((this.batch.total ?? 0) > JOBS_SHOWN) return true;
    const held = {};
    for (const job of this.jobs.values()) held[job.status] = (held[job.status] ?? 0) + 1;
    return Object.entries(this.batch.counts ?? {}).every(([status, count]) => (held[status] ?? 0) === count);
  }

  async readJobs() {
    try {
      const page = await this.view.jobpulse.request('GET', `/v1/batches/${encodeURIComponent(this.batch.id)}/jobs`, { query: { limit: JOBS_SHOWN } });
      this.mergeJobs(page.items ?? []);
    } catch (error) {
      this.view.onError(error);
    }
  }

  /** Keeps the newer version of each job, and shows the jobs newest first, each row updated in place. */
  mergeJobs(jobs) {
    for (const job of jobs) {
      const held = this.jobs.get(job.id);
      if (!held || (job.version ?? 0) > (held.version ?? 0)) this.jobs.set(job.id, job);
    }
    const shown = [...this.jobs.values()].sort(newestFirst('createdAt')).slice(0, JOBS_SHOWN);
    arrange(this.cells['batch-jobs'], shown.map((job) => {
      let row = this.jobRows.get(job.id);
      if (!row) {
        row = new JobRow(job, (action) => this.act(action, job.id), () => this.view.openJob(this.jobs.get(job.id)));
        this.jobRows.set(job.id, row);
      } else if (row.job !== job) {
        row.update(job);
      }
      return row.element;
    }));
  }

  async act(action, id) {
    await this.view.act(action, this.jobs.get(id));
    // Its buttons again; the job's change comes through the batch's watch.
    const row = this.jobRows.get(id);
    row?.update(row.job);
  }

  remove() {
    this.element.remove();
  }
}
