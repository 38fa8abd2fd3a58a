// The endpoints view: the signed-in user's webhook endpoints (GET /v1/endpoints), registering one,
// the secret shown the one time the API shows it (on creation and rotation), the actions on each
// (test, pause or resume, rotate the secret, delete), and each endpoint's latest deliveries with a
// retry for the failed ones. Deliveries have no stream: the view reads them again every few seconds
// while it is shown, and at once after an action.
import { STATUSES, shortId, when } from './format.js';

const REFRESH_MS = 2000;
const DELIVERIES_SHOWN = 10;
/** Each button's request: its method and what follows the endpoint's path. */
const ACTIONS = {
  test: ['POST', '/test'],
  pause: ['POST', '/pause'],
  resume: ['POST', '/resume'],
  rotate: ['POST', '/rotate-secret'],
  delete: ['DELETE', ''],
};

const $ = (id) => document.getElementById(id);

/** A comma-separated field as a list, blanks dropped. */
function list(value) {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(action, label) {
  const node = element('button', 'button button-small', label);
  node.type = 'button';
  node.dataset.action = action;
  return node;
}

export class EndpointsView {
  /** @param onError called with a failed request's error, as the jobs view reports them */
  constructor(jobpulse, { onError }) {
    this.jobpulse = jobpulse;
    this.onError = onError;
    this.cards = new Map();
    this.buildForm();
    $('secret-dismiss').onclick = () => this.hideSecret();
    $('endpoint-list').onclick = (event) => this.clicked(event);
  }

  buildForm() {
    $('endpoint-statuses').replaceChildren(...STATUSES.map((status) => {
      const label = element('label', 'chip');
      label.dataset.status = status;
      const box = element('input');
      box.type = 'checkbox';
      box.value = status;
      label.append(box, document.createTextNode(status));
      return label;
    }));
    $('endpoint-form').reset();
    $('endpoint-error').textContent = '';
    this.hideSecret();
    $('endpoint-form').onsubmit = (event) => {
      event.preventDefault();
      this.register();
    };
  }

  show() {
    this.shown = true;
    this.refresh();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
  }

  hide() {
    this.shown = false;
    clearInterval(this.timer);
  }

  async register() {
    const filter = {
      types: list($('endpoint-types').value),
      tags: list($('endpoint-tags').value),
      events: list($('endpoint-events').value),
      statuses: [...$('endpoint-statuses').querySelectorAll('input:checked')].map((box) => box.value),
    };
    const body = { url: $('endpoint-url').value.trim(), filter };
    const description = $('endpoint-description').value.trim();
    if (description) body.description = description;
    $('endpoint-create').disabled = true;
    $('endpoint-error').textContent = '';
    try {
      const created = await this.jobpulse.request('POST', '/v1/endpoints', { body });
      $('endpoint-form').reset();
      this.showSecret(created);
      await this.refresh();
    } catch (error) {
      // A refused URL (http, a private address) says why, next to the form.
      if (error?.status === 401) this.onError(error);
      else $('endpoint-error').textContent = error?.detail ?? error?.message ?? String(error);
    } finally {
      $('endpoint-create').disabled = false;
    }
  }

  showSecret(endpoint) {
    $('secret-endpoint').textContent = endpoint.url;
    $('secret-value').textContent = endpoint.secret;
    $('secret-box').dataset.endpointId = endpoint.id;
    $('secret-box').hidden = false;
  }

  hideSecret() {
    $('secret-value').textContent = '';
    $('secret-box').hidden = true;
  }

  async clicked(event) {
    const target = event.target.closest('button[data-action]');
    if (!target) return;
    const card = target.closest('.endpoint');
    const id = card.dataset.endpointId;
    const { action } = target.dataset;
    if (action === 'delete' && !window.confirm(`Delete the endpoint ${card.querySelector('.endpoint-url').textContent}? Nothing more is sent to it.`)) {
      return;
    }
    target.disabled = true;
    try {
      const base = `/v1/endpoints/${encodeURIComponent(id)}`;
      if (action === 'retry') {
        await this.jobpulse.request('POST', `${base}/deliveries/${encodeURIComponent(target.dataset.deliveryId)}/retry`);
      } else {
        const [method, suffix] = ACTIONS[action];
        const answer = await this.jobpulse.request(method, base + suffix);
        if (action === 'rotate') this.showSecret(answer);
      }
      await this.refresh();
    } catch (error) {
      this.onError(error);
    } finally {
      target.disabled = false;
    }
  }

  /** Reads the endpoints and each one's latest deliveries, and shows them. */
  async refresh() {
    if (this.refreshing) {
      // One more read once this one ends, so that an action's effect is not missed.
      this.again = true;
      return;
    }
    this.refreshing = true;
    this.again = false;
    try {
      const { endpoints = [] } = await this.jobpulse.request('GET', '/v1/endpoints');
      const pages = await Promise.all(endpoints.map((endpoint) => this.jobpulse
        .request('GET', `/v1/endpoints/${encodeURIComponent(endpoint.id)}/deliveries`, { query: { limit: DELIVERIES_SHOWN } })
        .catch(() => null)));
      if (this.shown) this.render(endpoints, pages);
    } catch (error) {
      this.onError(error);
    } finally {
      this.refreshing = false;
    }
    if (this.again && this.shown) await this.refresh();
  }

  render(endpoints, pages) {
    const container = $('endpoint-list');
    const keep = new Set(endpoints.map((endpoint) => endpoint.id));
    for (const [id, card] of this.cards) {
      if (!keep.has(id)) {
        card.remove();
        this.cards.delete(id);
      }
    }
    endpoints.forEach((endpoint, index) => {
      let card = this.cards.get(endpoint.id);
      if (!card) {
        card = element('article', 'card endpoint');
        card.dataset.endpointId = endpoint.id;
        this.cards.set(endpoint.id, card);
      }
      // Only a card whose endpoint or deliveries changed is rewritten, so a button is not replaced under a click.
      const key = JSON.stringify([endpoint, pages[index]]);
      if (card.shownKey !== key) {
        card.shownKey = key;
        fill(card, endpoint, pages[index]);
      }
      if (container.children[index] !== card) container.insertBefore(card, container.children[index] ?? null);
    });
    $('endpoints-empty').hidden = endpoints.length > 0;
  }

  close() {
    this.hide();
    this.cards.forEach((card) => card.remove());
    this.cards.clear();
    this.hideSecret();
  }
}

/** Writes an endpoint and its deliveries into its card. */
function fill(card, endpoint, page) {
  card.dataset.status = endpoint.status;
  const head = element('div', 'endpoint-head');
  const badge = element('span', 'badge', endpoint.status);
  badge.dataset.status = endpoint.status;
  const actions = element('div', 'endpoint-actions');
  actions.append(button('test', 'Send test'),
    endpoint.status === 'active' ? button('pause', 'Pause') : button('resume', endpoint.status === 'disabled' ? 'Enable' : 'Resume'),
    button('rotate', 'Rotate secret'), button('delete', 'Delete'));
  head.append(element('span', 'endpoint-url mono', endpoint.url), badge, actions);
  const filter = endpoint.filter ?? {};
  const parts = [['types', filter.types], ['statuses', filter.statuses], ['tags', filter.tags], ['events', filter.events]]
    .filter(([, values]) => values?.length).map(([name, values]) => `${name}: ${values.join(', ')}`);
  const meta = element('p', 'endpoint-meta',
    [endpoint.description, parts.length ? parts.join(' · ') : 'every change of your jobs', `${endpoint.id} · since ${when(endpoint.createdAt)}`]
      .filter(Boolean).join(' — '));
  const children = [head, meta];
  if (endpoint.disabledReason) children.push(element('p', 'endpoint-reason', `Disabled: ${endpoint.disabledReason}`));
  children.push(deliveries(page));
  card.replaceChildren(...children);
}

function deliveries(page) {
  const section = element('div', 'deliveries');
  const items = page?.deliveries ?? [];
  if (!items.length) {
    section.append(element('p', 'deliveries-empty', page ? 'No deliveries yet.' : 'Deliveries could not be read.'));
    return section;
  }
  const head = element('div', 'delivery head');
  for (const title of ['Status', 'Type', 'Job', 'Tries', 'Code', 'Response', 'Next attempt', '']) head.append(element('span', '', title));
  section.append(head, ...items.map((delivery) => {
    const row = element('div', 'delivery');
    row.dataset.deliveryId = delivery.id;
    row.dataset.status = delivery.status;
    const badge = element('span', 'badge', delivery.status);
    badge.dataset.status = delivery.status;
    const response = delivery.error ?? delivery.responseExcerpt ?? '';
    const excerpt = element('span', `delivery-response${delivery.error ? ' is-error' : ''}`, response);
    excerpt.title = response;
    const job = element('span', 'delivery-job mono', delivery.jobId ? `${shortId(delivery.jobId)} v${delivery.version}` : '');
    job.title = delivery.jobId ?? '';
    const action = element('span', 'delivery-action');
    if (delivery.status === 'failed') {
      const retry = button('retry', 'Retry');
      retry.dataset.deliveryId = delivery.id;
      action.append(retry);
    }
    row.append(badge, element('span', 'delivery-type', delivery.type), job, element('span', 'delivery-attempts num', String(delivery.attempts ?? 0)),
      element('span', 'delivery-code num', delivery.responseStatus ? String(delivery.responseStatus) : '–'), excerpt,
      element('span', 'delivery-next', delivery.nextAttemptAt ? when(delivery.nextAttemptAt) : ''), action);
    row.title = `${delivery.id}${delivery.latencyMillis != null ? ` · ${delivery.latencyMillis} ms` : ''}`;
    return row;
  }));
  return section;
}
