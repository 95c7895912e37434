// The dashboard page (GET /dashboard). Plain script, no build step, nothing from outside the ledger.
// The token is kept in sessionStorage (gone with the tab) and sent only in the Authorization header: never in a URL.
// The feed is read with fetch() and a stream reader, since EventSource cannot send an Authorization header; the page
// parses the server-sent events itself and reconnects with Last-Event-ID set to the last id it saw.
'use strict';

(() => {
  const TOKEN_KEY = 'treatmentLedger.token';
  const FEED_CAP = 100;
  const PAGE_SIZE = 20;
  const $ = id => document.getElementById(id);

  const state = {
    token: null,
    roles: [],
    generation: 0, // bumped on sign-in and sign-out: work of an older generation stops
    board: { status: '', regimen: '', alert: '', sort: '-lastRecordedAt', page: 1, total: 0 },
    endpoint: 'pfs',
    picked: null, // the regimens ticked for the curves (null: not chosen yet, the first three are ticked)
    position: null,
    lag: null,
    feed: { controller: null, lastEventId: null, connections: 0, status: 'off', holdMs: null, failures: 0 },
    rendered: false,
  };

  // ---- tokens and requests ----

  function rolesOf(token) {
    try {
      const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      const role = payload.role ?? [];
      return { roles: Array.isArray(role) ? role : [role], sub: payload.sub ?? '', hospital: payload.hospital ?? '' };
    } catch {
      return null;
    }
  }

  const canReadCases = () => state.roles.includes('clinician') || state.roles.includes('auditor');
  const isAdmin = () => state.roles.includes('admin');

  // Thrown when a request's answer is of no use any more: the token was refused, or another token was given since.
  class Refused extends Error {}

  async function api(path, options = {}) {
    const generation = state.generation;
    if (!state.token) throw new Refused('signed out');
    const response = await fetch(path, {
      ...options,
      headers: { ...(options.headers ?? {}), Authorization: `Bearer ${state.token}` },
      cache: 'no-store',
    });
    if (generation !== state.generation) throw new Refused('signed out since');
    if (response.status === 401) {
      signOut('The ledger refused this token (expired or not signed by it): paste another.');
      throw new Refused('401');
    }
    return response;
  }

  // A view asked for again before an earlier answer came (a filter changed twice, the curves' switch and then a regimen
  // ticked) shows the answer to its latest request, whatever order the answers arrive in: latest(view) numbers a
  // request, and the function it returns throws Refused once a later request for the same view was made.
  const requested = {};
  function latest(view) {
    const number = (requested[view] = (requested[view] ?? 0) + 1);
    return () => {
      if (requested[view] !== number) throw new Refused(`a later ${view} was asked for`);
    };
  }

  async function json(path) {
    const response = await api(path);
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body?.title ? `${body.title} (${response.status})` : `${path} answered ${response.status}`);
    if (typeof body?.position === 'number') showPosition(body.position, body.stale);
    return body;
  }

  // ---- small DOM helpers (text only: no answer is ever parsed as HTML) ----

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  const text = value => (value === null || value === undefined || value === '' ? '–' : String(value));
  const counts = dictionary => Object.entries(dictionary ?? {}).map(([key, n]) => `${key} ${n}`).join(', ') || '–';

  function showError(container, error) {
    container.replaceChildren(el('p', { class: 'error' }, String(error.message ?? error)));
  }

  function svgFrom(source) {
    const document_ = new DOMParser().parseFromString(source, 'image/svg+xml');
    const root = document_.documentElement;
    if (root.nodeName !== 'svg') throw new Error('the picture could not be read');
    for (const script of root.querySelectorAll('script')) script.remove();
    return document.importNode(root, true);
  }

  // ---- position and lag ----

  function showPosition(position, stale) {
    state.position = position;
    const lag = state.lag === null ? '' : `, lag ${state.lag} events`;
    $('position').textContent = `read models at position ${position}${lag}${stale ? ' (stale)' : ''}`;
    $('position').classList.toggle('stale', Boolean(stale));
  }

  async function loadLag(generation) {
    if (!isAdmin() || generation !== state.generation) return;
    try {
      const status = await json('/projections');
      state.lag = Math.max(0, ...status.projections.map(p => p.lag ?? 0));
      $('position').textContent = `high-water mark ${status.highWaterMark}, projection lag ${state.lag} events (` +
        status.projections.map(p => `${p.name} ${p.status} at ${p.position}`).join(', ') + ')';
    } catch (error) {
      if (!(error instanceof Refused)) $('position').textContent = `projections: ${error.message}`;
    }
    setTimeout(() => loadLag(generation), 5000);
  }

  // ---- the case board ----

  async function loadBoard(minPosition) {
    if (!canReadCases()) return;
    const b = state.board;
    const query = new URLSearchParams({ sort: b.sort, page: String(b.page), pageSize: String(PAGE_SIZE) });
    if (b.status) query.set('status', b.status);
    if (b.regimen) query.set('regimen', b.regimen);
    if (b.alert) query.set('alert', b.alert);
    if (minPosition) query.set('minPosition', String(minPosition));
    const tbody = $('board-table').tBodies[0];
    const current = latest('board');
    try {
      const answer = await json(`/cases?${query}`);
      current();
      b.total = answer.total;
      tbody.replaceChildren(...answer.cases.map(boardRow));
      if (answer.cases.length === 0) tbody.append(el('tr', {}, el('td', { colspan: 10 }, 'No case matches.')));
      const pages = Math.max(1, Math.ceil(answer.total / answer.pageSize));
      $('page-info').textContent = `page ${answer.page} of ${pages} (${answer.total} cases)`;
      $('page-prev').disabled = answer.page <= 1;
      $('page-next').disabled = answer.page >= pages;
      const kinds = new Set([...$('alert-kinds').options].map(o => o.value));
      for (const c of answer.cases) for (const a of c.alerts) kinds.add(a.kind);
      $('alert-kinds').replaceChildren(...[...kinds].map(k => el('option', { value: k })));
    } catch (error) {
      if (!(error instanceof Refused)) tbody.replaceChildren(el('tr', {}, el('td', { colspan: 10, class: 'error' }, error.message)));
    }
  }

  function boardRow(c) {
    const line = c.currentLineNumber
      ? `L${c.currentLineNumber} ${c.currentRegimen ?? ''} since ${c.currentLineStartedOn ?? '?'}${c.currentLineActive ? '' : ' (stopped)'}`
      : null;
    return el('tr', { 'data-case': c.caseId },
      el('td', {}, text(c.patientRef)),
      el('td', {}, text(c.status)),
      el('td', {}, text(c.diagnosis ? [c.diagnosis.text, c.diagnosis.on && `(${c.diagnosis.on})`].filter(Boolean).join(' ') : null)),
      el('td', {}, text(line)),
      el('td', { class: 'number' }, text(c.lineCount)),
      el('td', {}, text(c.lastProgressionOn)),
      el('td', {}, text(c.diedOn)),
      el('td', {}, ...c.alerts.map(a => el('span', { class: `badge level-${a.level}`, title: a.level }, `${a.kind} (${a.level})`))),
      el('td', {}, c.lastRecordedAt ? new Date(c.lastRecordedAt).toLocaleString() : '–'),
      el('td', {}, el('button', { type: 'button', class: 'timeline-link', onclick: () => showTimeline(c.caseId, c.patientRef) }, 'timeline')));
  }

  async function showTimeline(caseId, label) {
    $('timeline').hidden = false;
    $('timeline-case').textContent = label ?? '';
    const figure = $('timeline-figure');
    figure.replaceChildren(el('p', {}, 'drawing…'));
    const current = latest('timeline');
    try {
      const response = await api(`/cases/${encodeURIComponent(caseId)}/timeline.svg`);
      current();
      if (!response.ok) throw new Error(`the timeline answered ${response.status}`);
      const svg = await response.text();
      current();
      figure.replaceChildren(svgFrom(svg));
      $('timeline').scrollIntoView({ block: 'nearest' });
    } catch (error) {
      if (!(error instanceof Refused)) showError(figure, error);
    }
  }

  // ---- regimens and curves ----

  async function loadRegimens() {
    const tbody = $('regimen-table').tBodies[0];
    const current = latest('regimens');
    try {
      const answer = await json('/cohorts/regimens');
      current();
      const regimens = answer.regimens;
      tbody.replaceChildren(...regimens.map(r => el('tr', { 'data-regimen': r.regimen },
        el('td', {}, r.regimen),
        el('td', { class: 'number' }, text(r.cases)),
        el('td', { class: 'number' }, text(r.lines)),
        el('td', { class: 'number' }, text(r.activeLines)),
        el('td', { class: 'number' }, text(r.pfs.events)),
        el('td', { class: 'number' }, r.pfs.median ?? 'not reached'),
        el('td', { class: 'number' }, text(r.ttd.events)),
        el('td', { class: 'number' }, r.ttd.median ?? 'not reached'),
        el('td', {}, counts(r.grade3PlusAdverseEvents)))));
      if (regimens.length === 0) tbody.append(el('tr', {}, el('td', { colspan: 9 }, 'No line of therapy recorded yet.')));

      const names = regimens.map(r => r.regimen);
      if (state.picked === null) state.picked = new Set(names.slice(0, 3));
      const picker = $('regimen-picker');
      picker.replaceChildren(el('legend', {}, 'Regimens'), ...names.map(name => el('label', {},
        el('input', { type: 'checkbox', name: 'regimen', value: name, checked: state.picked.has(name) }), ` ${name}`)));

      const select = $('board-filters').elements.regimen;
      const chosen = select.value;
      select.replaceChildren(el('option', { value: '' }, 'any'), ...names.map(name => el('option', { value: name }, name)));
      select.value = names.includes(chosen) ? chosen : '';
    } catch (error) {
      if (!(error instanceof Refused)) tbody.replaceChildren(el('tr', {}, el('td', { colspan: 9, class: 'error' }, error.message)));
    }
  }

  async function loadCurves() {
    const figure = $('curves-figure');
    const picked = [...(state.picked ?? [])];
    if (picked.length === 0) {
      figure.replaceChildren(el('p', {}, 'Tick one or more regimens to draw their curves.'));
      return;
    }
    const query = new URLSearchParams({ endpoint: state.endpoint });
    for (const regimen of picked) query.append('regimen', regimen);
    const current = latest('curves');
    try {
      const response = await api(`/cohorts/survival.svg?${query}`);
      if (!response.ok) {
        const problem = await response.json().catch(() => null);
        current();
        throw new Error(problem?.title ?? `the curves answered ${response.status}`);
      }
      const svg = await response.text();
      current();
      const position = Number(response.headers.get('X-Position'));
      if (Number.isFinite(position) && position > 0) showPosition(position, response.headers.get('X-Stale') === 'true');
      figure.replaceChildren(svgFrom(svg));
    } catch (error) {
      if (!(error instanceof Refused)) showError(figure, error);
    }
  }

  // ---- the live feed ----

  const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

  function setFeedStatus(status) {
    state.feed.status = status;
    $('feed-status').textContent = status;
  }

  async function runFeed(generation) {
    const feed = state.feed;
    while (generation === state.generation) {
      const controller = new AbortController();
      feed.controller = controller;
      try {
        const headers = { Accept: 'text/event-stream' };
        if (feed.lastEventId !== null) headers['Last-Event-ID'] = feed.lastEventId;
        const response = await api('/feed', { headers, signal: controller.signal });
        if (response.status === 403) {
          setFeedStatus('not allowed for this token');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`the feed answered ${response.status}`);
        feed.connections += 1;
        feed.failures = 0;
        setFeedStatus('live');
        await readEvents(response.body, controller.signal);
      } catch (error) {
        if (error instanceof Refused) return;
        if (!controller.signal.aborted) feed.failures += 1;
      }
      if (generation !== state.generation) return;
      setFeedStatus('reconnecting…');
      const wait = feed.holdMs ?? Math.min(15000, 500 * 2 ** Math.min(feed.failures, 5));
      feed.holdMs = null;
      await sleep(wait);
    }
  }

  async function readEvents(body, signal) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    signal.addEventListener('abort', () => reader.cancel().catch(() => {}), { once: true });
    let buffer = '';
    let event = { id: null, type: '', data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        if (line === '') {
          if (event.id !== null) state.feed.lastEventId = event.id;
          if (event.data.length > 0) dispatch(event.type || 'message', event.data.join('\n'));
          event = { id: null, type: '', data: [] };
          continue;
        }
        if (line.startsWith(':')) continue; // a comment: keep-alive
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value_ = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') event.id = value_;
        else if (field === 'event') event.type = value_;
        else if (field === 'data') event.data.push(value_);
      }
    }
  }

  let refreshTimer = null;

  function dispatch(type, data) {
    if (type !== 'entry-recorded') return;
    let entry;
    try {
      entry = JSON.parse(data);
    } catch {
      return;
    }
    const list = $('feed-list');
    list.prepend(el('li', { 'data-sequence': entry.sequence, 'data-case': entry.caseId },
      el('span', { class: 'type' }, entry.type), ' ',
      el('span', { class: 'patient' }, text(entry.patientRef)), ` on ${text(entry.occurredOn)} by ${text(entry.recordedBy)} `,
      el('span', { class: 'when' }, `#${entry.sequence} v${entry.version} · ${new Date(entry.recordedAt).toLocaleTimeString()}`)));
    while (list.children.length > FEED_CAP) list.lastElementChild.remove();
    // The board follows what is recorded: one refresh for a burst, once the read model has the entry.
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => loadBoard(entry.sequence), 300);
  }

  // ---- sign-in, sign-out ----

  function signOut(message) {
    state.generation += 1;
    clearTimeout(refreshTimer);
    state.feed.controller?.abort();
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    $('token-form').hidden = false;
    $('signed-in').hidden = true;
    $('panels').hidden = true;
    $('token-message').textContent = message ?? '';
  }

  async function signIn(token) {
    const claims = rolesOf(token);
    if (claims === null) {
      $('token-message').textContent = 'That is not a token (a JWT has three parts separated by dots).';
      return;
    }
    state.generation += 1;
    const generation = state.generation;
    sessionStorage.setItem(TOKEN_KEY, token);
    Object.assign(state, { token, roles: claims.roles, position: null, lag: null, picked: null, rendered: false });
    Object.assign(state.feed, { lastEventId: null, connections: 0, failures: 0, holdMs: null });
    $('token').value = '';
    $('token-message').textContent = '';
    $('token-form').hidden = true;
    $('signed-in').hidden = false;
    $('panels').hidden = false;
    $('who').textContent = `${claims.sub} · ${claims.roles.join(', ')} · hospital ${claims.hospital}`;
    $('position').textContent = '';
    $('feed-list').replaceChildren();
    $('timeline').hidden = true;

    const cases = canReadCases();
    for (const id of ['board', 'feed']) {
      $(id).querySelector('.needs-role').hidden = cases;
      $(id).querySelector('.body').hidden = !cases;
    }
    $('board-table').tBodies[0].replaceChildren();
    setFeedStatus(cases ? 'connecting…' : '');

    if (cases) runFeed(generation);
    await Promise.all([loadBoard(), loadRegimens().then(loadCurves)]);
    if (generation !== state.generation) return;
    loadLag(generation);
    state.rendered = true;
    performance.mark('dashboard-rendered');
  }

  // ---- wiring ----

  function wire() {
    $('token-form').addEventListener('submit', event => {
      event.preventDefault();
      signIn($('token').value.trim());
    });
    $('sign-out').addEventListener('click', () => signOut());
    $('board-filters').addEventListener('change', event => {
      const form = event.currentTarget.elements;
      Object.assign(state.board, { status: form.status.value, regimen: form.regimen.value, alert: form.alert.value.trim(), sort: form.sort.value, page: 1 });
      loadBoard();
    });
    $('page-prev').addEventListener('click', () => { state.board.page = Math.max(1, state.board.page - 1); loadBoard(); });
    $('page-next').addEventListener('click', () => { state.board.page += 1; loadBoard(); });
    $('curve-options').addEventListener('change', event => {
      const form = event.currentTarget.elements;
      state.endpoint = form.endpoint.value;
      state.picked = new Set([...event.currentTarget.querySelectorAll('input[name=regimen]:checked')].map(i => i.value));
      loadCurves();
    });
    $('timeline-close').addEventListener('click', () => { $('timeline').hidden = true; });

    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) signIn(saved);
  }

  // For the browser tests and for a person at the console. cutFeed() is a test hook: it drops the feed's connection as
  // a network failure would, and the page reconnects after holdMs with Last-Event-ID, as it does after a real failure.
  window.dashboard = {
    cutFeed(holdMs = 1000) {
      state.feed.holdMs = holdMs;
      state.feed.controller?.abort();
    },
    feedState: () => ({ status: state.feed.status, connections: state.feed.connections, lastEventId: state.feed.lastEventId }),
    get rendered() { return state.rendered; },
    get position() { return state.position; },
  };

  wire();
})();
