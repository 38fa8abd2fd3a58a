// One job's row, as the job table and a batch's jobs show it.
import { OPEN, RETRYABLE, elapsed, percent, shortId, when } from './format.js';
import { mediaOf, preview } from './results.js';

/** Puts these elements first in the container, in this order, moving only those out of place. */
export function arrange(container, elements) {
  let previous = null;
  for (const element of elements) {
    const expected = previous ? previous.nextSibling : container.firstChild;
    if (expected !== element) container.insertBefore(element, expected);
    previous = element;
  }
}

/** One job's row: built once, then updated in place, so nothing reflows while changes stream in. */
export class JobRow {
  constructor(job, onAction, onOpen) {
    const element = document.createElement('div');
    element.className = 'row job';
    element.setAttribute('role', 'row');
    element.tabIndex = 0;
    element.dataset.jobId = job.id;
    element.innerHTML = `
      <span class="cell-job" role="cell"><span class="job-type"></span><span class="job-meta mono"></span></span>
      <span class="cell-status" role="cell"><span class="badge"></span></span>
      <span class="cell-progress" role="cell">
        <span class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"><span class="bar-fill"></span></span>
        <span class="pct num"></span>
      </span>
      <span class="cell-elapsed num" role="cell"></span>
      <span class="cell-message" role="cell"></span>
      <span class="cell-result" role="cell"></span>
      <span class="cell-actions" role="cell">
        <button type="button" class="button button-small" data-action="cancel">Cancel</button>
        <button type="button" class="button button-small" data-action="retry">Retry</button>
      </span>`;
    element.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      if (button) {
        event.stopPropagation();
        button.disabled = true;
        onAction(button.dataset.action);
      } else if (!event.target.closest('a')) {
        onOpen();
      }
    });
    element.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && event.target === element) onOpen();
    });
    this.element = element;
    this.cells = Object.fromEntries([...element.querySelectorAll('[class]')].map((cell) => [cell.className.split(' ')[0], cell]));
    this.mediaKey = null;
    this.update(job);
  }

  update(job) {
    this.job = job;
    const { cells } = this;
    this.element.dataset.status = job.status;
    cells['job-type'].textContent = job.type;
    cells['job-meta'].textContent = `${shortId(job.id)} · ${when(job.createdAt)}${(job.tags ?? []).length ? ' · ' + job.tags.join(', ') : ''}`;
    cells['job-meta'].title = job.id;
    cells.badge.textContent = job.status;
    cells.badge.dataset.status = job.status;
    const pct = percent(job.progress);
    cells.bar.setAttribute('aria-valuenow', String(pct));
    cells['bar-fill'].style.width = `${pct}%`;
    cells.pct.textContent = `${pct}%`;
    const message = job.error?.message ?? job.message ?? '';
    cells['cell-message'].textContent = message;
    cells['cell-message'].title = message;
    cells['cell-message'].classList.toggle('is-error', Boolean(job.error));
    const media = mediaOf(job.result);
    const key = media.map((item) => item.url).join('\n');
    if (key !== this.mediaKey) {
      this.mediaKey = key;
      cells['cell-result'].replaceChildren(...media.slice(0, 1).map((item) => preview(item, 'thumb')));
      if (media.length > 1) {
        const more = document.createElement('span');
        more.className = 'more-media';
        more.textContent = `+${media.length - 1}`;
        cells['cell-result'].append(more);
      }
    }
    const [cancel, retry] = cells['cell-actions'].querySelectorAll('button');
    cancel.hidden = !OPEN.has(job.status);
    retry.hidden = !RETRYABLE.has(job.status);
    cancel.disabled = false;
    retry.disabled = false;
    this.tick(Date.now());
  }

  tick(now) {
    const text = elapsed(this.job, now);
    if (this.cells['cell-elapsed'].textContent !== text) this.cells['cell-elapsed'].textContent = text;
  }
}
