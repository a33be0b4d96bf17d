// Search benchmark in headless Chromium on loopback: bytes fetched until the first results
// (gzip size of every search file requested, as a server with gzip would send them), time to
// first results from a cold page, and a follow-up query.
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
console.log('| query | requests | bytes gz (raw) | first results ms | follow-up ms (new word) | follow-up ms (typed: last key, slowest key) | + facet counts |');
console.log('|---|---|---|---|---|---|---|');
for (const [q, filters] of QUERIES) {
  const rows = [];
  for (let r = 0; r < runs; r++) {
    const context = await b.newContext();
    const page = await context.newPage();
    await page.goto(http.url + 'haku/');
    const before = http.requests.length;
    const ms = await page.evaluate(async ([q, filters]) => {
      const t = performance.now();
      await tietopankki.search(q, { filters, limit: 5, facets: false });
      return performance.now() - t;
    }, [q, filters]);
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
    rows.push({ ms, follow, typed, slowest, withCounts, requests: files.length, gz: files.reduce((s, p) => s + gz(p), 0), raw: files.reduce((s, p) => s + readFileSync(join(site, p)).length, 0) });
    await context.close();
  }
  const m = (k) => median(rows.map((x) => x[k]));
  const label = q + (Object.keys(filters).length ? ' + filter' : '');
  console.log(`| ${label} | ${m('requests')} | ${(m('gz') / 1024).toFixed(1)} kB (${(m('raw') / 1024).toFixed(0)} kB) | ${m('ms').toFixed(0)} | ${m('follow').toFixed(1)} | ${m('typed').toFixed(1)}, ${m('slowest').toFixed(0)} | +${m('withCounts').toFixed(0)} ms |`);
}
await b.close();
http.server.close();
