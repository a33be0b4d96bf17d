// The search on a generated 10,000-page site, where a common word's every form fills a term
// file of its own (the bundled content's files hold many terms each): the browser ranks like
// the CLI, and loads no file of a form its word reads through its base form's term.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, serve, browser, openPage, tietopankki } from './common.mjs';

let dir, corpus, site, http, b, manifest;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tietopankki-10k-'));
  corpus = join(dir, 'corpus');
  site = join(dir, 'site');
  execFileSync('python3', [join(REPO, 'benches', 'gen_corpus.py'), '10000', corpus], { stdio: 'ignore' });
  tietopankki(['build', '--quiet', '--root', corpus, '--output', site]);
  const js = readFileSync(join(site, 'search', 'search.js'), 'utf8');
  manifest = JSON.parse(js.slice(js.indexOf('_manifest=') + '_manifest='.length, js.indexOf(';\n'))).langs.fi;
  http = await serve(site);
  b = await browser();
});
after(async () => {
  await b?.close();
  http?.server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The number of the one-term file of the word `q` (lowercased), or -1. */
const ownFile = (q) => manifest.shards.findIndex((e) => e.length === 2 && e[0] === q.toLowerCase());

/** The term of each one-term file the page requested. */
const singleTerms = (paths) => paths
  .map((p) => p.match(/\/fi-s(\d+)\./))
  .filter(Boolean)
  .map((m) => manifest.shards[Number(m[1])])
  .filter((entry) => entry.length === 2)
  .map((entry) => entry[0]);

test('at 10,000 pages the browser ranks like the CLI and skips files of forms it does not read', async () => {
  const singles = manifest.shards.filter((e) => e.length === 2).length;
  assert.ok(singles > 50, `only ${singles} files of one term: the case this test is for is gone`);
  // Complete words (their forms lent to the base), a word typed half-way (its forms are
  // other words), inflected words, function words.
  for (const q of ['perhekeskus nuorten', 'lastensuojelu', 'perheterapia', 'vanhemmuuden', 'lastensuo', 'lapsen ja perheen']) {
    const { page, errors } = await openPage(b, http.url);
    const before = http.requests.length;
    const web = (await page.evaluate((q) => tietopankki.search(q, { lang: 'fi', limit: 10 }), q)).results.map((r) => r.url.replace(http.url, ''));
    const loaded = singleTerms(http.requests.slice(before));
    const cli = JSON.parse(tietopankki(['search', q, '--root', corpus, '--limit', '10', '--format', 'json'])).results.map((r) => r.url);
    assert.deepEqual(web, cli, q);
    assert.ok(cli.length === 10, q);
    assert.deepEqual(errors, [], q);
    if (q === 'perhekeskus nuorten') {
      // The files of `perhekeskuksen` and `perhekeskuksessa`: pages the term `perhekeskus`
      // was lent at the export.
      const forms = ['perhekeskuksen', 'perhekeskuksessa', 'perhekeskukseen'].filter((t) => manifest.shards.some((e) => e.length === 2 && e[0] === t));
      assert.ok(forms.length >= 2, 'the corpus no longer gives these forms files of their own');
      assert.deepEqual(loaded.filter((t) => forms.includes(t)), [], `${q} loaded ${loaded}`);
      assert.ok(loaded.includes('perhekeskus'), `${q} loaded ${loaded}`);
    }
    await page.close();
  }
});

test('a first query asks for every term file it reads before the runtime is in', async () => {
  // Each typed word's own file comes with hints naming the files of its stem and base forms
  // (and what its stem's prefix reaches), which load beside the runtime, not after it; a
  // common word alone also gets its records file, the pages of its first results, so that
  // its results need no page chunk at all.
  for (const q of ['lapsen ja perheen', 'vanhemmuuden', 'perhekeskus nuorten', 'perheterapiaa nuorille', 'lastensuojelu', 'Perheterapia']) {
    const { page, errors } = await openPage(b, http.url);
    const before = http.requests.length;
    let released = -1;
    // The runtime held back: what the page asks for meanwhile is the loader's own doing.
    await page.route(/\.wasm$/, async (route) => {
      await new Promise((ok) => setTimeout(ok, 1500));
      released = http.requests.length;
      await route.continue();
    });
    const unused = await page.evaluate(async (q) => {
      await tietopankki.search(q, { lang: 'fi', limit: 10 });
      return tietopankki._unused();
    }, q);
    const alone = !q.includes(' ');
    const files = (from, to) => http.requests.slice(from, to).filter((p) => /\/fi-[sr]\d+\./.test(p));
    assert.ok(released > before, q);
    const early = files(before, released);
    assert.deepEqual(files(released), [], `${q}: asked for after the runtime was in (before: ${early})`);
    const chunks = http.requests.slice(before).filter((p) => /\/fi-d\d+\./.test(p));
    if (alone) {
      const own = ownFile(q);
      assert.ok(own >= 0, `${q}: no file of its own`);
      assert.ok(early.some((p) => p.startsWith(`/search/fi-r${own}.`)), `${q}: no records file before the runtime (${early})`);
      assert.deepEqual(chunks, [], `${q}: page chunks for a word whose records hold its first results`);
    } else {
      assert.ok(early.every((p) => /\/fi-s\d+\./.test(p)), `${q}: records for a query of several words (${early})`);
    }
    assert.deepEqual(unused, [], q);
    assert.deepEqual(errors, [], q);
    if (q === 'lapsen ja perheen') {
      // Neither `laps` nor `lapsi` is a word of the query.
      const terms = early.map((p) => manifest.shards[Number(p.match(/fi-s(\d+)\./)[1])][0]);
      const guessed = http.requests.slice(before, released).filter((p) => /\/fi-d\d+\./.test(p));
      assert.deepEqual(guessed, [], `${q}: page chunks guessed for a query of three words`);
      assert.ok(terms.includes('laps') && terms.includes('lapsi'), `${q} loaded ${terms}`);
    }
    await page.close();
  }
});

test("a common word's own file does not hold back the files of its stem and base forms", async () => {
  // A file of one term names them in the manifest (`follow`), not in itself: they are asked
  // for with it. Held back here, with the runtime: what comes meanwhile is the manifest's doing.
  const expected = { 'lapsen ja perheen': ['laps', 'lapsi', 'perh', 'perhe'], vanhemmuuden: ['vanhemmuud', 'vanhemmuus'] };
  for (const [q, forms] of Object.entries(expected)) {
    const { page, errors } = await openPage(b, http.url);
    const own = q.split(' ').map(ownFile).filter((i) => i >= 0);
    assert.ok(own.length > 0 && forms.every((t) => ownFile(t) >= 0), `${q}: the corpus no longer gives these words files of their own`);
    const held = new RegExp(`/fi-s(${own.join('|')})\\.|\\.wasm$`);
    const before = http.requests.length;
    let released = -1;
    await page.route((url) => held.test(url.pathname), async (route) => {
      await new Promise((ok) => setTimeout(ok, 1500));
      if (released < 0) released = http.requests.length;
      await route.continue();
    });
    const [urls, unused] = await page.evaluate(async (q) => {
      const out = await tietopankki.search(q, { lang: 'fi', limit: 10 });
      return [out.results.map((r) => r.url), tietopankki._unused()];
    }, q);
    assert.ok(released > before, q);
    const early = singleTerms(http.requests.slice(before, released));
    assert.ok(forms.every((t) => early.includes(t)), `${q}: asked for before its own files came: ${early}`);
    const cli = JSON.parse(tietopankki(['search', q, '--root', corpus, '--limit', '10', '--format', 'json'])).results.map((r) => r.url);
    assert.deepEqual(urls.map((u) => u.replace(http.url, '')), cli, q);
    assert.deepEqual(unused, [], q);
    assert.deepEqual(errors, [], q);
    await page.close();
  }
});

test('a later query of a common word alone asks for its records beside its term files, and no chunk', async () => {
  // With the runtime in, the plan asks for the word's term files (held back here); the loader
  // asks for the word's records file at once, and those pages are its first results.
  for (const q of ['perheterapia', 'Vanhemmuuden', 'lastensuojelussa']) {
    const { page, errors } = await openPage(b, http.url);
    await page.evaluate(() => tietopankki.search('kaltoinkohtelu', { lang: 'fi', limit: 10 }));
    const before = http.requests.length;
    let released = -1, held = 0;
    await page.route(/\/fi-s\d+\.[0-9a-f]+\.js$/, async (route) => {
      held++;
      await new Promise((ok) => setTimeout(ok, 1000));
      if (released < 0) released = http.requests.length;
      await route.continue();
    });
    const [web, unused] = await page.evaluate(async (q) => {
      const out = await tietopankki.search(q, { lang: 'fi', limit: 10, facets: false });
      return [out.results.map((r) => r.url), tietopankki._unused()];
    }, q);
    const asked = http.requests.slice(before);
    const own = ownFile(q);
    assert.ok(held > 0, `${q}: no term file held back`);
    assert.ok(own >= 0, `${q}: no file of its own`);
    assert.ok(http.requests.slice(before, released).includes(`/search/fi-r${own}.${manifest.shards[own][1]}.js`), `${q}: no records file before its term files (${asked})`);
    assert.deepEqual(asked.filter((p) => /\/fi-d\d+\./.test(p)), [], `${q}: page chunks beside the records`);
    const cli = JSON.parse(tietopankki(['search', q, '--root', corpus, '--limit', '10', '--format', 'json'])).results.map((r) => r.url);
    assert.deepEqual(web.map((u) => u.replace(http.url, '')), cli, q);
    assert.deepEqual(unused, [], q);
    assert.deepEqual(errors, [], q);
    await page.close();
  }
});
