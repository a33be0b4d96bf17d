// Search over a slow link, as a reader on a phone meets it: Chromium's network emulation
// (40 ms round trip, 10 Mbit/s each way, unless LATENCY_MS / KBITS say otherwise) and a server
// that gzips as static hosts do. On loopback a request costs CPU, not a round trip, so the
// number of request rounds a first query waits for shows here and not in search-bench.mjs.
// Measured 1 s after the page's load event (the reader focuses the box and types): first
// results, then a new word pasted 1 s after them. Several sites (comma-separated) are measured
// run by run in turn, for an A/B comparison.
// Usage: node benches/slow-link.mjs SITE_DIR[,SITE_DIR…] [runs]
import { resolve } from 'node:path';
import { serve, browser } from '../tests/browser/common.mjs';

const sites = process.argv[2].split(',').map((s) => resolve(s));
const runs = Number(process.argv[3] || 5);
const latency = Number(process.env.LATENCY_MS || 40);
const kbits = Number(process.env.KBITS || 10000);
const QUERIES = ['lastensuojelu', 'vanhemmuuden', 'perhekeskus nuorten', 'lapsen ja perheen', '"lapsen ja perheen"'];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const servers = await Promise.all(sites.map((s) => serve(s, { gzip: true })));
const b = await browser();
console.log(`round trip ${latency} ms, ${kbits} kbit/s, gzip; medians of ${runs} runs`);
console.log('| query | ' + sites.map((s, k) => `[${k}] first results ms | [${k}] follow-up ms`).join(' | ') + ' |');
console.log('|---|' + sites.map(() => '---|---|').join(''));
for (const q of QUERIES) {
  const rows = sites.map(() => ({ first: [], follow: [] }));
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < sites.length; k++) {
      const context = await b.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency, downloadThroughput: kbits * 125, uploadThroughput: kbits * 125,
      });
      await page.goto(servers[k].url);
      await page.waitForTimeout(1000);
      const [first, follow] = await page.evaluate(async (q) => {
        let t = performance.now();
        await tietopankki.search(q, { limit: 5, facets: false });
        const first = performance.now() - t;
        await new Promise((ok) => setTimeout(ok, 1000));
        t = performance.now();
        await tietopankki.search('perheterapia', { limit: 5, facets: false });
        return [first, performance.now() - t];
      }, q);
      rows[k].first.push(first);
      rows[k].follow.push(follow);
      await context.close();
    }
  }
  console.log(`| ${q} | ` + rows.map((x) => `${median(x.first).toFixed(0)} | ${median(x.follow).toFixed(0)}`).join(' | ') + ' |');
}
await b.close();
servers.forEach((s) => s.server.close());
