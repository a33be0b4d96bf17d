// Search benchmark in headless Chromium on loopback: bytes fetched until the first results
// (gzip size of every search file requested, as a server with gzip would send them), time to
// first results from a cold page, and a follow-up query; then the search page as a reader meets it
// (first results, then the excerpts that needed their pages' whole texts).
// Usage: node benches/search-bench.mjs SITE_DIR [runs]   (SITE_DIR built with tietopankki build)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serve, browser } from '../tests/browser/common.mjs';

const site = resolve(process.argv[2]);
const runs = Number(process.argv[3] || 5);
const QUERIES = [
  ['lastensuojelu', {}], ['vanhemmuuden', {}], ['perhekeskus nuorten', {}],
  ['lastensuojelu', { tyyppi: ['method'] }], ['ja', {}], ['lapsen ja perheen', {}], ['"lapsen ja perheen"', {}],
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gz = (path) => gzipSync(readFileSync(join(site, path)), { level: 6 }).length;

const http = await serve(site);
const b = await browser();
// Milliseconds from a search on a page that has loaded nothing of it to its results.
const firstResults = (page, q, filters) => page.evaluate(async ([q, filters]) => {
  const t = performance.now();
  await tietopankki.search(q, { filters, limit: 5, facets: false });
  return performance.now() - t;
}, [q, filters]);
console.log('| query | requests | bytes gz (raw) | first results ms | first results ms, 1 s after load | follow-up ms (new word) | the same 1 s after the first results | follow-up ms (typed: last key, slowest key) | + facet counts |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [q, filters] of QUERIES) {
  const rows = [];
  for (let r = 0; r < runs; r++) {
    const context = await b.newContext();
    const page = await context.newPage();
    // The home page: its search box loads nothing until focused (the search page would have
    // started loading the runtime already).
    await page.goto(http.url);
    const before = http.requests.length;
    const ms = await firstResults(page, q, filters);
    const fetched = http.requests.slice(before).filter((p) => p.startsWith('/search/'));
    const follow = await page.evaluate(async () => {
      const t = performance.now();
      await tietopankki.search('perheterapia', { limit: 5, facets: false });
      return performance.now() - t;
    });
    // A follow-up typed a key at a time, as the search page runs it: the time of the last
    // keystroke's search, whose files earlier keystrokes already brought, and of the slowest
    // keystroke (the one that first loads a prefix's shards).
    const [typed, slowest] = await page.evaluate(async () => {
      const word = 'kaltoinkohtelun';
      let last = 0, slowest = 0;
      for (let i = 1; i <= word.length; i++) {
        const t = performance.now();
        await tietopankki.search(word.slice(0, i), { limit: 5, facets: false });
        last = performance.now() - t;
        slowest = Math.max(slowest, last);
      }
      return [last, slowest];
    });
    const withCounts = await page.evaluate(async ([q, filters]) => {
      const t = performance.now();
      await tietopankki.search(q, { filters, limit: 5 });
      return performance.now() - t;
    }, [q, filters]);
    const files = ['/search/search.js', ...fetched];
    await context.close();
    // The same query from a page the reader has had open for a second: right at the load
    // event the browser is still finishing the page (on 2 cores that work competes with the
    // search's), which the first column includes.
    const later = await b.newContext();
    const laterPage = await later.newPage();
    await laterPage.goto(http.url);
    await laterPage.waitForTimeout(1000);
    const settled = await firstResults(laterPage, q, filters);
    // A follow-up as a reader makes one: a new word pasted a second after the first results
    // (the column before it runs right after a query made at the load event).
    await laterPage.waitForTimeout(1000);
    const followLater = await laterPage.evaluate(async () => {
      const t = performance.now();
      await tietopankki.search('perheterapia', { limit: 5, facets: false });
      return performance.now() - t;
    });
    await later.close();
    rows.push({ ms, settled, follow, followLater, typed, slowest, withCounts, requests: files.length, gz: files.reduce((s, p) => s + gz(p), 0), raw: files.reduce((s, p) => s + readFileSync(join(site, p)).length, 0) });
  }
  const m = (k) => median(rows.map((x) => x[k]));
  const label = q + (Object.keys(filters).length ? ' + filter' : '');
  console.log(`| ${label} | ${m('requests')} | ${(m('gz') / 1024).toFixed(1)} kB (${(m('raw') / 1024).toFixed(0)} kB) | ${m('ms').toFixed(0)} | ${m('settled').toFixed(0)} | ${m('follow').toFixed(1)} | ${m('followLater').toFixed(1)} | ${m('typed').toFixed(1)}, ${m('slowest').toFixed(0)} | +${m('withCounts').toFixed(0)} ms |`);
}

// The search page as a reader meets it, cold: the page loads (and with it the runtime), then a
// query is pasted (one input event), or typed a key every 120 ms. Timed in the page from the
// last input event to the render that shows that query's first ten results; bytes are every
// search file the page had received by then (the runtime included).
const UI_QUERIES = ['lastensuojelu', 'vanhemmuuden', 'perhekeskus nuorten', 'lapsen ja perheen'];
// The URLs of a query's first ten results, as the search page lists them once they show.
const firstTen = async (q) => {
  const ref = await b.newContext();
  const page = await ref.newPage();
  await page.goto(http.url + 'haku/');
  const out = await page.evaluate((q) => tietopankki.search(q, { limit: 10, facets: false }), q);
  await ref.close();
  return out.results.map((x) => x.url).join(' ');
};
console.log('');
// The page lists a new search's first five results as soon as their pages are in, then the
// rest of its ten: "first five" is the render listing the first five of the ten (or all of
// fewer), "ten" the one listing all ten.
const firstFive = (shown, want) => {
  const w = want.split(' ');
  const k = Math.min(5, w.length);
  const h = shown ? shown.split(' ') : [];
  return h.length >= k && h.every((x, i) => x === w[i]);
};
// The page's search files as [path, responseEnd], and the gzipped bytes of those in by `t`.
const searchFiles = () => performance.getEntriesByType('resource').filter((e) => /\/search\//.test(e.name)).map((e) => [new URL(e.name).pathname, e.responseEnd]);
const bytesBy = (files, t) => files.filter(([, end]) => end <= t).reduce((sum, [path]) => sum + gz(path), 0);
console.log('| search page | pasted: ms to first five | bytes gz until then | ms to ten | bytes gz until then | pasted: ms to whole-text excerpts | typed (120 ms a key): last key to ten ms |');
console.log('|---|---|---|---|---|---|---|');
for (const q of UI_QUERIES) {
  const rows = [];
  const want = await firstTen(q);
  for (let r = 0; r < runs; r++) {
    const row = {};
    for (const mode of ['pasted', 'typed']) {
      const context = await b.newContext();
      const page = await context.newPage();
      await page.goto(http.url + 'haku/');
      await page.evaluate(() => {
        window.__inputs = []; window.__renders = []; window.__excerpts = [];
        const list = document.getElementById('hakutulokset');
        // A search that leaves the list as it was still rewrites the status line (a new query).
        const seen = new MutationObserver(() => window.__renders.push([performance.now(), [...list.querySelectorAll('a.entry-title')].slice(0, 10).map((a) => a.href).join(' ')]));
        seen.observe(list, { childList: true });
        seen.observe(document.getElementById('hakutila'), { childList: true, characterData: true, subtree: true });
        // Excerpts replaced in place once the pages' whole texts are in.
        new MutationObserver((records) => {
          if (records.some((r) => r.target.tagName === 'P')) window.__excerpts.push(performance.now());
        }).observe(list, { childList: true, subtree: true });
        // Captured on the document, so the time is taken before the page's own handler runs.
        document.addEventListener('input', () => window.__inputs.push(performance.now()), true);
      });
      if (mode === 'pasted') await page.fill('#haku-q', q); else await page.type('#haku-q', q, { delay: 120 });
      await page.waitForFunction((want) => window.__renders.some(([t, h]) => t >= window.__inputs[window.__inputs.length - 1] && h === want), want);
      await page.waitForTimeout(500);
      const [last, renders, excerpts] = await page.evaluate(() => [window.__inputs[window.__inputs.length - 1], window.__renders, window.__excerpts]);
      const files = await page.evaluate(searchFiles);
      const at = renders.find(([t, h]) => t >= last && h === want)[0];
      const early = renders.find(([t, h]) => t >= last && firstFive(h, want))[0];
      const replaced = excerpts.filter((t) => t > at);
      row[mode] = at - last;
      if (mode === 'pasted') {
        row.excerpts = replaced.length ? replaced[replaced.length - 1] - last : at - last;
        row.gz = bytesBy(files, at);
        row.five = early - last;
        row.fiveGz = bytesBy(files, early);
      }
      await context.close();
    }
    rows.push(row);
  }
  const m = (k) => median(rows.map((x) => x[k]));
  console.log(`| ${q} | ${m('five').toFixed(0)} | ${(m('fiveGz') / 1024).toFixed(1)} kB | ${m('pasted').toFixed(0)} | ${(m('gz') / 1024).toFixed(1)} kB | ${m('excerpts').toFixed(0)} | ${m('typed').toFixed(0)} |`);
}

// The search page opened with the query in its address, as the header's search box submits it
// from any page: the one real search at a page's load. Timed from the page's DOMContentLoaded
// (where the page starts its search: the runtime, the plan, the files) and from the start of
// the navigation, to the renders that show the first five and the ten results.
console.log('');
console.log('| search page opened with ?q= | ms to first five after DOMContentLoaded | after navigation start | bytes gz until then | ms to ten after DOMContentLoaded | bytes gz until then |');
console.log('|---|---|---|---|---|---|');
for (const q of UI_QUERIES) {
  const rows = [];
  const want = await firstTen(q);
  for (let r = 0; r < runs; r++) {
    const context = await b.newContext();
    const page = await context.newPage();
    await page.addInitScript((want) => {
      window.__renders = [];
      new MutationObserver(() => {
        const list = document.getElementById('hakutulokset');
        if (!list || window.__at) return;
        const shown = [...list.querySelectorAll('a.entry-title')].slice(0, 10).map((a) => a.href).join(' ');
        window.__renders.push([performance.now(), shown]);
        if (shown === want) window.__at = performance.now();
      }).observe(document, { childList: true, subtree: true });
    }, want);
    await page.goto(http.url + 'haku/?' + new URLSearchParams({ q }));
    await page.waitForFunction(() => window.__at);
    const [at, renders, dcl] = await page.evaluate(() => [window.__at, window.__renders, performance.getEntriesByType('navigation')[0].domContentLoadedEventStart]);
    const files = await page.evaluate(searchFiles);
    const five = renders.find(([, h]) => firstFive(h, want))[0];
    rows.push({ dcl: five - dcl, nav: five, gz: bytesBy(files, five), ten: at - dcl, tenGz: bytesBy(files, at) });
    await context.close();
  }
  const m = (k) => median(rows.map((x) => x[k]));
  console.log(`| ${q} | ${m('dcl').toFixed(0)} | ${m('nav').toFixed(0)} | ${(m('gz') / 1024).toFixed(1)} kB | ${m('ten').toFixed(0)} | ${(m('tenGz') / 1024).toFixed(1)} kB |`);
}
await b.close();
http.server.close();
