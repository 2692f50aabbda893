// tjob ui: plain modules, no framework. The page asks the server for JSON and redraws when the
// server pushes a change of the state directory (server-sent events at /api/changes).

const main = document.getElementById('main');
const live = document.getElementById('live');
const problem = document.getElementById('problem');

const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat())
    if (c != null) el.append(c.nodeType ? c : document.createTextNode(String(c)));
  return el;
};

async function getJson(url) {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${res.status}: ${await res.text()}`);
  return res.json();
}

function table(header, rows, link) {
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        header.map((c) => h('th', {}, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          { 'data-name': r.name },
          r.cells.map((c, i) =>
            h(
              'td',
              { class: i === 1 ? `status-${c}` : '' },
              i === 0 && link ? h('a', { href: link(r) }, c) : c,
            ),
          ),
        ),
      ),
    ),
  );
}

function svg(markup) {
  const box = h('div', { class: 'svgbox' });
  box.innerHTML = markup; // produced by the server from the state (names escaped there)
  return box;
}

// ---- live updates ----

const listeners = new Set();
function connect() {
  const source = new EventSource('/api/changes');
  source.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  source.addEventListener('change', (e) => {
    const changes = JSON.parse(e.data);
    for (const l of listeners) l(changes);
  });
  source.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.className = 'live';
  });
}

/** Runs `draw` now and again after each pushed change that `relevant` accepts (one at a time). */
function redrawOn(relevant, draw) {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) return void (again = true);
    running = true;
    try {
      await draw();
      problem.replaceChildren();
    } catch (err) {
      problem.replaceChildren(String(err.message ?? err));
    } finally {
      running = false;
      if (again) {
        again = false;
        void run();
      }
    }
  };
  listeners.add((changes) => {
    if (changes.some(relevant)) void run();
  });
  return run();
}

// ---- pages ----

function listPage() {
  const params = new URLSearchParams(location.search);
  const input = h('input', {
    id: 'selector',
    placeholder: 'label selector, e.g. app=web,tier!=db',
    value: params.get('selector') ?? '',
  });
  const state = { jobs: 0, cronjobs: 0 };
  const jobsBox = h('div', { id: 'jobs' });
  const cronBox = h('div', { id: 'cronjobs' });
  const apply = () => {
    const url = new URL(location.href);
    if (input.value) url.searchParams.set('selector', input.value);
    else url.searchParams.delete('selector');
    history.replaceState(null, '', url);
    state.jobs = state.cronjobs = 0;
    void draw();
  };
  input.addEventListener('change', apply);
  main.replaceChildren(
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'selector' }, 'Selector'),
      input,
      h('button', { onclick: apply }, 'Filter'),
    ),
    h('h2', {}, 'Jobs'),
    jobsBox,
    h('h2', {}, 'CronJobs'),
    cronBox,
  );
  const section = async (kind, box, link) => {
    const q = new URLSearchParams({ kind, page: String(state[kind]), selector: input.value });
    const data = await getJson(`/api/list?${q}`);
    if (data.error) return box.replaceChildren(h('p', { class: 'error' }, data.error));
    if (data.total === 0) return box.replaceChildren(h('p', { class: 'muted' }, 'No resources found.'));
    const pager =
      data.pages > 1
        ? h(
            'p',
            { class: 'pager' },
            h(
              'button',
              { disabled: data.page === 0, onclick: () => ((state[kind] = data.page - 1), draw()) },
              '‹ previous',
            ),
            ` page ${data.page + 1} of ${data.pages} (${data.total}) `,
            h(
              'button',
              {
                disabled: data.page + 1 >= data.pages,
                onclick: () => ((state[kind] = data.page + 1), draw()),
              },
              'next ›',
            ),
          )
        : null;
    box.replaceChildren(table(data.header, data.rows, link), pager ?? '');
  };
  const draw = () =>
    Promise.all([
      section('jobs', jobsBox, (r) => `/job/${encodeURIComponent(r.name)}`),
      section('cronjobs', cronBox, (r) => `/cronjob/${encodeURIComponent(r.name)}`),
    ]);
  return redrawOn(() => true, draw);
}

const LEGEND = [
  ['pending', '#b8bec7'],
  ['running', '#2f7de1'],
  ['succeeded', '#2e9e4f'],
  ['failed', '#d6453d'],
  ['backoff', '#f2c14e'],
];

function eventsTable(events) {
  if (events.length === 0) return h('p', { class: 'muted' }, '<none>');
  return h(
    'table',
    { class: 'events' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Type', 'Reason', 'Last seen', 'From', 'Message'].map((c) => h('th', {}, c)),
      ),
    ),
    h(
      'tbody',
      {},
      events.map((e) =>
        h(
          'tr',
          {},
          h('td', {}, e.type),
          h('td', {}, e.reason),
          h('td', {}, new Date(e.lastTimestamp).toLocaleTimeString()),
          h('td', {}, e.source),
          h('td', { style: 'white-space:normal' }, e.count > 1 ? `${e.message} (×${e.count})` : e.message),
        ),
      ),
    ),
  );
}

function jobPage(name) {
  let page = 0;
  const head = h('div');
  const timeline = h('div', { id: 'timeline' });
  const pods = h('div', { id: 'pods' });
  const events = h('div', { id: 'events' });
  const logs = logsPanel(name);
  main.replaceChildren(
    h('h1', {}, `job.batch/${name}`),
    head,
    h('h2', {}, 'Timeline'),
    h(
      'p',
      { class: 'legend' },
      LEGEND.map(([n, c]) => h('span', {}, h('i', { style: `background:${c}` }), n)),
    ),
    timeline,
    h(
      'div',
      { class: 'cols' },
      h('div', {}, h('h2', {}, 'Pods'), pods),
      h('div', {}, h('h2', {}, 'Events'), events),
    ),
    h('h2', {}, 'Logs'),
    logs.element,
  );
  const draw = async () => {
    const width = Math.max(480, Math.min(1600, (timeline.clientWidth || main.clientWidth) - 12));
    const data = await getJson(`/api/job/${encodeURIComponent(name)}?page=${page}&width=${width}`);
    head.replaceChildren(
      table(data.header, [{ name: data.name, cells: data.cells }]),
      data.owner
        ? h(
            'p',
            {},
            'Created by ',
            h('a', { href: `/cronjob/${encodeURIComponent(data.owner.name)}` }, `cronjob/${data.owner.name}`),
          )
        : '',
    );
    timeline.replaceChildren(svg(data.timeline));
    const pager =
      data.pages > 1
        ? h(
            'p',
            { class: 'pager' },
            h('button', { disabled: page === 0, onclick: () => ((page -= 1), draw()) }, '‹'),
            ` pods page ${data.page + 1} of ${data.pages} (${data.podCount}) `,
            h('button', { disabled: page + 1 >= data.pages, onclick: () => ((page += 1), draw()) }, '›'),
          )
        : '';
    pods.replaceChildren(
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [...data.podHeader, ''].map((c) => h('th', {}, c)),
          ),
        ),
        h(
          'tbody',
          {},
          data.pods.map((p) =>
            h(
              'tr',
              { 'data-pod': p.name },
              p.cells.map((c) => h('td', {}, c)),
              h(
                'td',
                {},
                h('button', { class: 'show-logs', onclick: () => logs.show(p.name, p.containers) }, 'logs'),
              ),
            ),
          ),
        ),
      ),
      pager,
    );
    events.replaceChildren(eventsTable(data.events));
    logs.offer(data.pods);
  };
  return redrawOn((c) => c.kind === 'job' && (c.name === name || c.name === undefined), draw);
}

function logsPanel(job) {
  const select = h('select', { id: 'log-target' });
  const follow = h('input', { type: 'checkbox', id: 'follow', checked: true });
  const pre = h('pre', { class: 'logs', id: 'log-lines' });
  let source;
  let offered = false;
  const open = () => {
    source?.close();
    pre.replaceChildren();
    if (!select.value) return;
    const [pod, container] = select.value.split('/');
    const q = new URLSearchParams({ job, pod, container, follow: follow.checked ? '1' : '0' });
    source = new EventSource(`/api/logs?${q}`);
    source.addEventListener('lines', (e) => {
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      for (const l of JSON.parse(e.data)) pre.append(h('span', { class: l.stream }, `${l.text}\n`));
      if (atEnd) pre.scrollTop = pre.scrollHeight;
    });
    source.addEventListener('end', () => source.close());
    source.addEventListener('failure', (e) => pre.append(h('span', { class: 'stderr' }, JSON.parse(e.data))));
  };
  select.addEventListener('change', open);
  follow.addEventListener('change', open);
  return {
    element: h('div', {}, h('div', { class: 'toolbar' }, select, h('label', {}, follow, ' follow')), pre),
    show(pod, containers) {
      select.value = `${pod}/${containers.at(-1)}`;
      open();
    },
    offer(pods) {
      const known = new Set([...select.options].map((o) => o.value));
      for (const p of pods)
        for (const c of p.containers) {
          const v = `${p.name}/${c}`;
          if (!known.has(v)) select.append(h('option', { value: v }, v));
        }
      if (!offered && pods.length > 0) {
        offered = true;
        select.value = `${pods[0].name}/${pods[0].containers.at(-1)}`;
        open();
      }
    },
  };
}

function cronJobPage(name) {
  const body = h('div');
  main.replaceChildren(h('h1', {}, `cronjob.batch/${name}`), body);
  const draw = async () => {
    const data = await getJson(`/api/cronjob/${encodeURIComponent(name)}`);
    body.replaceChildren(
      table(data.header, [{ name: data.name, cells: data.cells }]),
      h(
        'p',
        {},
        h('code', {}, data.schedule),
        ` — ${data.description} (${data.zone})`,
        data.suspended ? ' — suspended' : '',
      ),
      h('h2', {}, 'Recent slots'),
      h(
        'p',
        { class: 'legend' },
        [
          ['on time', '#2e9e4f'],
          ['late', '#e08a1e'],
          ['missed', '#d6453d'],
          ['skipped (Forbid)', '#8a8f98'],
          ['replaced', '#7c3aed'],
          ['next runs', 'transparent; border: 2px solid #2f7de1'],
        ].map(([n, c]) => h('span', {}, h('i', { style: `background:${c}` }), n)),
      ),
      svg(data.slotsSvg),
      h('h2', {}, 'Next runs'),
      data.upcoming.length === 0
        ? h('p', { class: 'muted' }, 'none')
        : h(
            'ul',
            { id: 'next-runs' },
            data.upcoming.map((r) =>
              h('li', {}, r.local, r.note ? h('span', { class: 'muted' }, ` — ${r.note}`) : ''),
            ),
          ),
      h(
        'div',
        { class: 'cols' },
        h(
          'div',
          {},
          h('h2', {}, 'Jobs'),
          data.jobs.length
            ? table(data.jobHeader, data.jobs, (r) => `/job/${encodeURIComponent(r.name)}`)
            : h('p', { class: 'muted' }, 'none'),
        ),
        h('div', {}, h('h2', {}, 'Events'), eventsTable(data.events)),
      ),
    );
  };
  return redrawOn(() => true, draw);
}

connect();
const path = location.pathname;
if (path.startsWith('/job/')) void jobPage(decodeURIComponent(path.slice(5)));
else if (path.startsWith('/cronjob/')) void cronJobPage(decodeURIComponent(path.slice(9)));
else void listPage();
