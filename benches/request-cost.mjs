// What one request costs in this Chromium on this machine, whatever its size: N parallel
// fetches (and N <script> loads) of a site's document chunks, on a page open for a second.
// On the 2-core VM the cost grows by 2.5-3.5 ms a request (the requests are handled one at a
// time: fetch 4.4 ms for one, 22.6 for eight 2.6 kB chunks; 5.4 and 23.0 ms for 5.6 kB ones,
// on a busier day), so the number of files a query needs, not their bytes, sets its time there.
// Usage: node benches/request-cost.mjs SITE_DIR [rounds]   (SITE_DIR built with tietopankki build)
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serve, browser } from '../tests/browser/common.mjs';

const site = resolve(process.argv[2]);
const rounds = Number(process.argv[3] || 5);
const http = await serve(site);
const b = await browser();
const page = await (await b.newContext()).newPage();
await page.goto(http.url);
await page.waitForTimeout(1000);
const files = readdirSync(join(site, 'search')).filter((f) => /^[a-z]+-d\d+\./.test(f));
const out = await page.evaluate(async ([files, rounds]) => {
  const out = {};
  let k = 0;
  const take = (n) => { const batch = []; for (let i = 0; i < n; i++) batch.push(files[k++ % files.length]); return batch; };
  for (let r = 0; r < rounds; r++) {
    for (const n of [1, 2, 4, 8]) {
      let t = performance.now();
      await Promise.all(take(n).map((f) => fetch('/search/' + f + '?' + k).then((x) => x.text())));
      (out['fetch x' + n] = out['fetch x' + n] || []).push(performance.now() - t);
      t = performance.now();
      await Promise.all(take(n).map((f) => new Promise((ok) => {
        const s = document.createElement('script');
        s.src = '/search/' + f + '?' + k;
        s.onload = ok;
        s.onerror = ok;
        document.head.appendChild(s);
      })));
      (out['script x' + n] = out['script x' + n] || []).push(performance.now() - t);
    }
  }
  return out;
}, [files, rounds]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, xs] of Object.entries(out)) console.log(`${name}: median ${median(xs).toFixed(1)} ms of ${xs.length}`);
await b.close();
http.server.close();
