// What a pasted follow-up costs beyond the network: on a cold page, a first query, then a
// follow-up with a new word (its term files, then its results' documents: two dependent
// stages). Then, on another cold page after the same first query, the same files fetched in the
// same two stages with no engine work: the floor any two-stage design pays on this machine.
// Usage: node benches/follow-up-floor.mjs SITE_DIR [runs] [first query] [follow-up]
import { resolve } from 'node:path';
import { serve, browser } from '../tests/browser/common.mjs';

const site = resolve(process.argv[2]);
const runs = Number(process.argv[3] || 11);
const first = process.argv[4] || 'lastensuojelu';
const follow = process.argv[5] || 'perheterapia';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const http = await serve(site);
const b = await browser();
const rows = [];
for (let r = 0; r < runs; r++) {
  let context = await b.newContext();
  let page = await context.newPage();
  await page.goto(http.url);
  const [ms, files] = await page.evaluate(async ([first, follow]) => {
    await tietopankki.search(first, { limit: 5, facets: false });
    performance.clearResourceTimings();
    const t = performance.now();
    await tietopankki.search(follow, { limit: 5, facets: false });
    const ms = performance.now() - t;
    return [ms, performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)];
  }, [first, follow]);
  await context.close();
  const terms = files.filter((f) => /\/[a-z]+-[sp]\d+\./.test(f));
  const docs = files.filter((f) => /\/[a-z]+-d\d+\./.test(f));
  context = await b.newContext();
  page = await context.newPage();
  await page.goto(http.url);
  const floor = await page.evaluate(async ([first, terms, docs]) => {
    await tietopankki.search(first, { limit: 5, facets: false });
    const get = (f) => fetch(f).then((x) => x.text());
    const t = performance.now();
    await Promise.all(terms.map(get));
    const one = performance.now() - t;
    await Promise.all(docs.map(get));
    return [one, performance.now() - t];
  }, [first, terms, docs]);
  await context.close();
  rows.push({ ms, terms: terms.length, docs: docs.length, one: floor[0], two: floor[1] });
}
const m = (k) => median(rows.map((x) => x[k]));
console.log(`follow-up '${follow}' after '${first}', median of ${runs}: ${m('ms').toFixed(1)} ms;`,
  `its files (${m('terms')} term, ${m('docs')} document) fetched alone: ${m('one').toFixed(1)} ms for the first stage, ${m('two').toFixed(1)} ms for both`);
await b.close();
http.server.close();
