// The search with no DevTools client in the browser: what search-bench.mjs measures, without
// Playwright's work in the renderer (its scripts and events competed with the search: on the
// 2-core VM the same site gave lapsen ja perheen 171 ms at the load event there, 95-101 here).
// Each run starts Chromium with a fresh profile on a launcher page (localhost), which opens
// the site on 127.0.0.1 (another site: a fresh renderer process) once the browser has
// settled. The page gets one extra script (served by this bench, not in the site) that
// reports back: on the home page, first results through the page API at the load event or a
// second after it, and a new word pasted a second after those; on the search page opened with
// ?q= (as the header's box submits it), the first results on screen after DOMContentLoaded.
// Usage: node benches/unobserved.mjs SITE_DIR [runs]   (SITE_DIR built with tietopankki build)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, resolve } from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, TYPES, serve } from '../tests/browser/common.mjs';

const site = resolve(process.argv[2]);
const runs = Number(process.argv[3] || 5);
const QUERIES = ['lastensuojelu', 'vanhemmuuden', 'perhekeskus nuorten', 'ja', 'lapsen ja perheen', '"lapsen ja perheen"'];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Home page: the query and the wait come in the address's fragment (#wait=MS&q=QUERY).
const PROBE = `addEventListener('load', function () {
  var p = new URLSearchParams(location.hash.slice(1)), n = 0, first = 0;
  var timed = function (q) {
    var t = performance.now();
    return tietopankki.search(q, { limit: 5, facets: false }).then(function (r) { n = r.results.length; return performance.now() - t; });
  };
  setTimeout(function () {
    timed(p.get('q')).then(function (ms) {
      first = ms;
      return new Promise(function (ok) { setTimeout(ok, 1000); });
    }).then(function () { return timed('perheterapia'); }).then(function (follow) {
      fetch('/__report', { method: 'POST', body: JSON.stringify({ ms: first, follow: follow, n: n }) });
    });
  }, Number(p.get('wait')));
});`;
// Search page: the time from DOMContentLoaded to the first result titles in the list.
const PAGE_PROBE = `new MutationObserver(function (changes, observer) {
  var list = document.getElementById('hakutulokset');
  if (!list || !list.querySelector('a.entry-title')) return;
  observer.disconnect();
  var at = performance.now(), nav = performance.getEntriesByType('navigation')[0];
  fetch('/__report', { method: 'POST', body: JSON.stringify({ ms: at - nav.domContentLoadedEventStart, n: 1 }) });
}).observe(document, { childList: true, subtree: true });`;
const LAUNCH = 'setTimeout(function () { location.href = decodeURIComponent(location.hash.slice(1)); }, 1500);';

let report = () => {};
const OWN = { '/__probe.js': PROBE, '/__page-probe.js': PAGE_PROBE, '/__launch.js': LAUNCH, '/__launch.html': '<!doctype html><title>launch</title><script src="/__launch.js"></script>' };
const PROBES = { '/': '/__probe.js', '/haku/': '/__page-probe.js' };
const http = await serve(site, {
  answer(req, res, path) {
    if (path === '/__report') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { res.end(); report(JSON.parse(body)); });
      return true;
    }
    if (!OWN[path]) return false;
    res.writeHead(200, { 'content-type': TYPES[extname(path)] }).end(OWN[path]);
    return true;
  },
  rewrite: (path, body) => PROBES[path]
    ? Buffer.from(body.toString().replace('</head>', `<script src="${PROBES[path]}"></script></head>`))
    : body,
});
const port = new URL(http.url).port;

/** One cold browser, one page: what its probe reports, or null. */
async function once(target) {
  const profile = mkdtempSync(join(tmpdir(), 'unobserved-'));
  const got = new Promise((ok) => { report = ok; });
  const chromium = spawn(CHROMIUM, [...CHROMIUM_ARGS, `--user-data-dir=${profile}`,
    `http://localhost:${port}/__launch.html#${encodeURIComponent(target)}`], { stdio: 'ignore', detached: true });
  const out = await Promise.race([got, new Promise((ok) => setTimeout(() => ok(null), 20000))]);
  const exited = new Promise((ok) => chromium.on('exit', ok));
  process.kill(-chromium.pid, 'SIGKILL');
  await exited;
  await new Promise((ok) => setTimeout(ok, 300));
  rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  return out && out.n > 0 ? out : null;
}
const home = (q, wait) => once(`http://127.0.0.1:${port}/#wait=${wait}&q=${encodeURIComponent(q)}`);
const searchPage = (q) => once(`http://127.0.0.1:${port}/haku/?q=${encodeURIComponent(q)}`);
const cell = (xs) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
const must = (out, what) => { if (!out) throw new Error(`${what}: no results reported within 20 s`); return out; };

console.log(`no DevTools client; medians of ${runs} runs (range)`);
console.log('| query | first results ms at the load event | 1 s after load | follow-up ms 1 s after the first results | search page ?q=: ms after DOMContentLoaded |');
console.log('|---|---|---|---|---|');
for (const q of QUERIES) {
  const at = [], later = [], follow = [], page = [];
  for (let r = 0; r < runs; r++) {
    at.push(must(await home(q, 0), q).ms);
    const settled = must(await home(q, 1000), q);
    later.push(settled.ms);
    follow.push(settled.follow);
    page.push(must(await searchPage(q), `search page ${q}`).ms);
  }
  console.log(`| ${q} | ${cell(at)} | ${cell(later)} | ${cell(follow)} | ${cell(page)} |`);
}
http.server.close();
