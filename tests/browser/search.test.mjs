// The search as a reader uses it, in Debian's Chromium: over http under a strict CSP, and from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { buildSite, serve, browser, openPage, tietopankki } from './common.mjs';

let http, b, fileSite;

before(async () => {
  http = await serve(buildSite());
  fileSite = buildSite(['--relative-links']);
  b = await browser();
});
after(async () => { await b?.close(); http?.server.close(); });

/** The results listed, once the list is whole (a first screenful shows before the rest). */
async function results(page) {
  await page.waitForFunction(() => document.querySelectorAll('#hakutulokset li').length > 0
    && document.getElementById('hakutulokset').getAttribute('aria-busy') !== 'true');
  return page.$$eval('#hakutulokset li a', (as) => as.map((a) => a.getAttribute('href')));
}

/** The number of results the status line announces ("37 tulosta"). */
async function total(page) {
  const m = (await page.textContent('#hakutila')).match(/^(\d+) tulosta/);
  assert.ok(m, await page.textContent('#hakutila'));
  return Number(m[1]);
}

test('typing shows results as you type and announces the count', async () => {
  const { page, errors } = await openPage(b, http.url + 'haku/');
  await page.fill('#haku-q', 'lastensuojelussa');
  const hrefs = await results(page);
  assert.ok(hrefs.length > 0);
  assert.match(await page.textContent('#hakutila'), /^\d+ tulosta$/);
  assert.equal(await page.getAttribute('#hakutila', 'aria-live'), 'polite');
  const marked = await page.$$eval('#hakutulokset mark', (m) => m.map((x) => x.textContent.toLowerCase()));
  assert.ok(marked.some((w) => w.startsWith('lastensuojelu')), `marks: ${marked}`);
  assert.deepEqual(errors, []);
});

test('a facet narrows the results and counts follow', async () => {
  const { page, errors } = await openPage(b, http.url + 'haku/');
  await page.fill('#haku-q', 'vanhemmuus');
  await results(page);
  const all = await total(page);
  await page.check('input[data-facet="tyyppi"][value="method"]');
  await page.waitForFunction(() => /tyyppi%3Amethod/.test(location.search)
    && [...document.querySelectorAll('#hakutulokset li .kind')].every((k) => k.textContent === 'Menetelmä'));
  const kinds = await page.$$eval('#hakutulokset li .kind', (k) => k.map((x) => x.textContent));
  const methods = await total(page);
  assert.ok(kinds.length > 0 && methods < all, `${methods} of ${all}`);
  assert.ok(kinds.every((k) => k === 'Menetelmä'), kinds.join());
  const count = await page.textContent('input[data-facet="tyyppi"][value="method"] ~ .count');
  assert.equal(Number(count), methods);
  assert.deepEqual(errors, []);
});

test('query and filters round-trip through the URL', async () => {
  const { page, errors } = await openPage(b, http.url + 'haku/?q=nuorille&f=tyyppi%3Amethod');
  assert.ok((await results(page)).length > 0);
  assert.equal(await page.inputValue('#haku-q'), 'nuorille');
  assert.ok(await page.isChecked('input[data-facet="tyyppi"][value="method"]'));
  await page.fill('#haku-q', 'perheterapiaa');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('q') === 'perheterapiaa');
  assert.deepEqual(errors, []);
  // An address that says the same in other spelling (`%20` for `+`) is left as it is.
  const { page: spelt } = await openPage(b, http.url + 'haku/?q=lapsen%20ja%20perheen');
  assert.ok((await results(spelt)).length > 0);
  assert.equal(await spelt.evaluate(() => location.search), '?q=lapsen%20ja%20perheen');
});

test('the keyboard moves through results and Escape clears', async () => {
  const { page } = await openPage(b, http.url + 'haku/');
  // Facet files late, so the counts surely arrive after the reader has moved into the list.
  await page.route(/\/search\/fi-f\d+\./, (route) => setTimeout(() => route.continue(), 700));
  // One input event: typed letter by letter, the list could still show a prefix's results
  // when it is read (seen on a loaded machine).
  await page.fill('#haku-q', 'vanhemmuus');
  const hrefs = await results(page);
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), hrefs[0]);
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), hrefs[1]);
  // The facet counts arrive after the results; the list stays, and so does the focus.
  await page.waitForFunction(() => [...document.querySelectorAll('.facet-option .count')].some((c) => c.textContent !== ''));
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), hrefs[1]);
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'haku-q');
  await page.keyboard.press('Escape');
  assert.equal(await page.inputValue('#haku-q'), '');
  await page.waitForFunction(() => document.querySelectorAll('#hakutulokset li').length === 0);
});

test('results come ten at a time; "show more" adds ten and moves the focus to the first new one', async () => {
  const { page, errors } = await openPage(b, http.url + 'haku/');
  await page.fill('#haku-q', 'lapsi');
  const first = await results(page);
  const n = await total(page);
  assert.ok(n > 20, `only ${n} results for lapsi`);
  assert.equal(first.length, 10);
  assert.ok(await page.isVisible('#haku-lisaa'));
  await page.click('#haku-lisaa');
  await page.waitForFunction(() => document.querySelectorAll('#hakutulokset li').length === 20);
  const twenty = await results(page);
  assert.deepEqual(twenty.slice(0, 10), first);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), twenty[10]);
  assert.equal(await total(page), n);
  // The same twenty as the page API's first twenty, in order.
  const api = await page.evaluate(() => tietopankki.search('lapsi', { limit: 20 }));
  assert.deepEqual(twenty, api.results.map((r) => r.url));
  // Until every result is shown; then the button goes.
  while (await page.isVisible('#haku-lisaa')) {
    const shown = (await results(page)).length;
    await page.click('#haku-lisaa');
    await page.waitForFunction((k) => document.querySelectorAll('#hakutulokset li').length > k, shown);
  }
  assert.equal((await results(page)).length, n);
  // A new query starts again from ten.
  await page.fill('#haku-q', 'lapsen');
  await page.waitForFunction(() => document.querySelectorAll('#hakutulokset li').length === 10);
  assert.ok(await page.isVisible('#haku-lisaa'));
  assert.deepEqual(errors, []);
});

test('a new search shows its first five results first and adds the rest of its ten to them', async () => {
  const page = await b.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // What the list went through: the results added (in order), and aria-busy set, each
  // with the number of results then.
  await page.addInitScript(() => {
    window.__steps = [];
    document.addEventListener('DOMContentLoaded', () => {
      const list = document.getElementById('hakutulokset');
      new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === 'attributes') window.__steps.push(`busy=${list.getAttribute('aria-busy')}`);
          r.addedNodes.forEach((n) => { if (n.nodeName === 'LI') window.__steps.push('li'); });
          r.removedNodes.forEach((n) => { if (n.nodeName === 'LI') window.__steps.push('removed'); });
        }
      }).observe(list, { childList: true, attributes: true, attributeFilter: ['aria-busy'] });
    });
  });
  await page.goto(http.url + 'haku/?q=lapsi');
  const ten = await results(page);
  const steps = await page.evaluate(() => window.__steps.join(' '));
  assert.equal(steps, 'li li li li li busy=true li li li li li busy=null');
  // The ten are the page API's ten, in order; the status says the total once.
  const api = await page.evaluate(() => tietopankki.search('lapsi', { limit: 10 }));
  assert.deepEqual(ten, api.results.map((r) => r.url));
  assert.equal(await total(page), api.total);
  // A query with five results or fewer is listed at once, whole.
  await page.evaluate(() => { window.__steps = []; });
  const few = await page.evaluate(async () => {
    for (const q of ['aggressio', 'kiintymyssuhde', 'barnahus']) {
      const r = await tietopankki.search(q, { limit: 10 });
      if (r.total > 0 && r.total <= 5) return [q, r.results.map((x) => x.url)];
    }
    return null;
  });
  assert.ok(few, 'a query with at most five results');
  await page.fill('#haku-q', few[0]);
  await page.waitForFunction((urls) => JSON.stringify([...document.querySelectorAll('#hakutulokset li a.entry-title')]
    .map((x) => x.getAttribute('href'))) === JSON.stringify(urls), few[1]);
  assert.deepEqual(await page.evaluate(() => window.__steps.filter((s) => s.startsWith('busy'))), [], 'no partial list');
  assert.deepEqual(errors, []);
});

test('nothing on the English or Swedish pages links to what the Finnish pages have', async () => {
  for (const [path, text] of [['en/haku/', 'Results on the Finnish pages: 1'], ['sv/haku/', 'Träffar på de finska sidorna: 1']]) {
    const { page, errors } = await openPage(b, http.url + path + '?q=Theraplay');
    await page.waitForSelector('#hakutila a');
    assert.equal(await page.textContent('#hakutila a'), text);
    await page.click('#hakutila a');
    await page.waitForURL(/\/haku\/\?q=Theraplay$/);
    assert.ok(!new URL(page.url()).pathname.startsWith('/' + path.split('/')[0]), page.url());
    assert.deepEqual(await results(page), [http.url + 'menetelmat/theraplay/']);
    // A word no page has in any language: only "no results".
    await page.goto(http.url + path + '?q=qwzxqwzx');
    await page.waitForFunction(() => document.getElementById('hakutila').textContent.length > 0);
    await page.waitForTimeout(300);
    assert.equal(await page.$('#hakutila a[href*="haku/?q=qwzxqwzx"]'), null);
    assert.deepEqual(errors, []);
    await page.close();
  }
  // From disk, to the search page's file.
  const { page, errors } = await openPage(b, pathToFileURL(join(fileSite, 'en', 'haku', 'index.html')).href + '?q=Theraplay');
  await page.waitForSelector('#hakutila a');
  await page.click('#hakutila a');
  await page.waitForURL(/\/haku\/index\.html\?q=Theraplay$/);
  assert.equal((await results(page)).length, 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a misspelt query offers a correction that searches', async () => {
  const { page, errors } = await openPage(b, http.url + 'haku/?q=lastensuojleu');
  await page.waitForSelector('#hakutila a');
  const suggestion = await page.textContent('#hakutila a');
  assert.match(suggestion, /^lastensuoje/);
  await page.click('#hakutila a');
  assert.ok((await results(page)).length > 0);
  // In the reader's own letters, though the index keeps words folded (`aidin`).
  await page.goto(http.url + 'haku/?q=' + encodeURIComponent('äidim'));
  await page.waitForSelector('#hakutila a');
  assert.equal(await page.textContent('#hakutila a'), 'äidin');
  await page.click('#hakutila a');
  assert.ok((await results(page)).length > 0);
  assert.deepEqual(errors, []);
});

test('a quoted phrase narrows the results, and says so when it is found nowhere', async () => {
  const { page, errors } = await openPage(b, http.url + 'haku/');
  await page.fill('#haku-q', 'lapset puheeksi');
  await results(page);
  const words = await total(page);
  await page.fill('#haku-q', '"lapset puheeksi"');
  await page.waitForFunction((n) => Number((document.querySelector('#hakutila').textContent.match(/^\d+/) || [n])[0]) < n, words);
  assert.ok((await results(page)).length > 0);
  const phrase = await total(page);
  assert.ok(phrase > 0 && phrase < words, `${phrase} of ${words}`);
  assert.match(await page.textContent('#hakutila'), /^\d+ tulosta$/);
  await page.fill('#haku-q', '"puheeksi mdft"');
  await page.waitForFunction(() => /peräkkäin/.test(document.querySelector('#hakutila').textContent));
  assert.ok((await results(page)).length > 0);
  assert.equal(await page.getAttribute('#haku-q', 'aria-describedby'), 'haku-ohje');
  assert.deepEqual(errors, []);
});

test('a precise query lists the pages with some of its words after those with all, saying which they lack', async () => {
  const { page, errors } = await openPage(b, http.url + 'haku/?q=' + encodeURIComponent('masentunut nuori'));
  const hrefs = await results(page);
  const lacking = await page.$$eval('#hakutulokset li.entry', (lis) => lis.map((li) => [...li.querySelectorAll('.missing s')].map((s) => s.textContent)));
  // One page has both words; the pathway on young people's depression has only `nuori`.
  assert.deepEqual(lacking[0], []);
  assert.ok(lacking.length > 1 && lacking.slice(1).every((w) => w.join() === 'masentunut'), JSON.stringify(lacking));
  assert.ok(hrefs.slice(0, 3).some((h) => h.endsWith('/palvelupolut/nuorten-ahdistus-ja-masennus/')), hrefs.join());
  assert.match(await page.textContent('#hakutulokset li.entry:nth-child(2) .missing'), /^Puuttuu: masentunut$/);
  // The count is of every result listed, not of the one page with both words.
  assert.ok(await total(page) >= lacking.length, await page.textContent('#hakutila'));
  // Through the API: `missing` only where a word is lacking, as typed.
  const r = await page.evaluate(() => tietopankki.search('Masentunut nuori', { limit: 3 }));
  assert.equal(r.results[0].missing, undefined);
  assert.deepEqual(r.results[1].missing, ['Masentunut']);
  assert.deepEqual(errors, []);
});

test('the header box leads to the search page with the query', async () => {
  const { page } = await openPage(b, http.url + 'menetelmat/');
  await page.fill('#hakulaatikko', 'aiti');
  await page.press('#hakulaatikko', 'Enter');
  await page.waitForURL(/haku\/\?q=aiti/);
  assert.ok((await results(page)).length > 0);
});

test('search works from file:// with the same results', async () => {
  const url = pathToFileURL(join(fileSite, 'haku', 'index.html')).href + '?q=lastensuojelussa';
  const { page, errors } = await openPage(b, url);
  const siteUrl = pathToFileURL(fileSite).href + '/';
  const fromDisk = (await results(page)).map((h) => h.replace(siteUrl, '').replace(/index\.html$/, ''));
  const { page: p2 } = await openPage(b, http.url + 'haku/?q=lastensuojelussa');
  const overHttp = (await results(p2)).map((h) => h.replace(http.url, ''));
  assert.ok(fromDisk.length > 0 && fromDisk.every((h) => !h.startsWith('file:')), fromDisk.join());
  assert.deepEqual(fromDisk, overHttp);
  assert.deepEqual(errors, []);
});

test('the runtime loads from a host that serves it without the wasm type, or not at all', async () => {
  // Compiled as it streams in only with the type application/wasm; else from its bytes, and
  // where a host does not serve .wasm files (IIS without a MIME mapping), from its .js copy.
  const want = await (await openPage(b, http.url)).page.evaluate(() => tietopankki.search('lastensuojelussa', { limit: 5 }));
  for (const host of ['octet-stream', 'no wasm']) {
    const { page, errors } = await openPage(b, http.url);
    const wasmRequests = [];
    await page.route(/\.wasm$/, async (route) => {
      wasmRequests.push(route.request().url());
      if (host === 'no wasm') return route.fulfill({ status: 404, body: 'not found' });
      const response = await route.fetch();
      return route.fulfill({ response, headers: { ...response.headers(), 'content-type': 'application/octet-stream' } });
    });
    const got = await page.evaluate(() => tietopankki.search('lastensuojelussa', { limit: 5 }));
    // One request, whatever the host answered: its bytes, or the .js copy after a 404.
    assert.equal(wasmRequests.length, 1, host);
    assert.deepEqual(got.results.map((r) => r.url), want.results.map((r) => r.url), host);
    assert.ok(got.results.length === 5, host);
    // The browser reports the 404 itself; nothing else may go wrong.
    assert.deepEqual(errors.filter((e) => !/404/.test(e)), [], host);
  }
});

test('index files are fetched over http, and load as scripts where the policy refuses fetch', async () => {
  const { page } = await openPage(b, http.url);
  const kinds = [];
  page.on('request', (r) => { if (/\/search\/fi-[a-z]+\d/.test(r.url())) kinds.push(r.resourceType()); });
  const want = await page.evaluate(() => tietopankki.search('lastensuojelussa', { limit: 5 }));
  assert.ok(kinds.length > 1 && kinds.every((k) => k === 'fetch'), kinds.join());
  // The same site under a policy without connect-src 'self'.
  const strict = await b.newPage();
  const errors = [], files = [];
  strict.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  strict.on('pageerror', (e) => errors.push(e.message));
  strict.on('request', (r) => { if (/\/search\/fi-[a-z]+\d/.test(r.url())) files.push(r.resourceType()); });
  await strict.route((u) => u.pathname === '/', async (route) => {
    const response = await route.fetch();
    const csp = response.headers()['content-security-policy'] + "; connect-src 'none'";
    return route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
  });
  await strict.goto(http.url);
  const got = await strict.evaluate(() => tietopankki.search('lastensuojelussa', { limit: 5 }));
  assert.deepEqual(got.results.map((r) => r.url), want.results.map((r) => r.url));
  assert.ok(files.length > 1 && files.every((k) => k === 'script'), files.join());
  const refused = errors.length;
  assert.ok(refused > 0 && errors.every((e) => /Content Security Policy/.test(e)), errors.join('\n'));
  // Refused once, the loader stops asking: a new word's files come with no new refusal.
  const more = await strict.evaluate(() => tietopankki.search('perheterapia', { limit: 5 }));
  assert.ok(more.results.length > 0);
  assert.equal(errors.length, refused, errors.join('\n'));
  await strict.close();
});

test('the counts load every facet in one file, a filter before them only its own', async () => {
  const { page, errors } = await openPage(b, http.url);
  const before = http.requests.length;
  const facetFiles = () => http.requests.slice(before)
    .map((p) => p.match(/\/search\/fi-f(\d+)\./)).filter(Boolean).map((m) => Number(m[1]));
  const names = await page.evaluate(() => tietopankki._manifest.langs.fi.facets.map((f) => f[0]));
  const tyyppi = names.indexOf('tyyppi');
  assert.ok(names.length > 1 && tyyppi >= 0, names.join());
  const search = (q, opts) => page.evaluate(async ([q, opts]) => {
    const r = await tietopankki.search(q, opts);
    return { total: r.total, facets: r.facets, complete: r.countsComplete };
  }, [q, opts]);
  // A filter, results first: the file of its own facet, no other.
  const filtered = await search('vanhemmuus', { filters: { tyyppi: ['method'] }, facets: false });
  assert.deepEqual(facetFiles(), [tyyppi]);
  assert.equal(filtered.complete, false);
  // Then the counts: one file of all of them, numbered after the last facet's own.
  const counted = await search('vanhemmuus', { filters: { tyyppi: ['method'] } });
  assert.deepEqual(facetFiles(), [tyyppi, names.length]);
  assert.equal(counted.complete, true);
  assert.equal(counted.total, filtered.total);
  const cli = JSON.parse(tietopankki(['search', 'vanhemmuus', '--format', 'json', '--filter', 'tyyppi=method']));
  assert.deepEqual(counted.facets, cli.facets);
  // Every facet is in: another query's counts load no facet file.
  const other = await search('perheterapia', {});
  assert.equal(facetFiles().length, 2);
  assert.deepEqual(other.facets, JSON.parse(tietopankki(['search', 'perheterapia', '--format', 'json'])).facets);
  assert.deepEqual(errors, []);
});

test('the page API returns the documented shape, with escaped excerpts', async () => {
  const { page } = await openPage(b, http.url);
  const r = await page.evaluate(() => tietopankki.search('vanhemmuuden', { lang: 'fi', limit: 5 }));
  assert.ok(r.total > 0 && r.results.length <= 5);
  for (const x of r.results) {
    assert.deepEqual(Object.keys(x).sort(), ['excerpt', 'score', 'title', 'type', 'url']);
    assert.ok(!/<(?!\/?mark>)/.test(x.excerpt), x.excerpt);
  }
  assert.equal(typeof r.facets, 'object');
  // The loader's notes stay inside: `arviointiasteikko` is read by its last parts.
  const parts = await page.evaluate(() => tietopankki.search('arviointiasteikko', { lang: 'fi', limit: 5 }));
  assert.ok(parts.total > 0);
  assert.deepEqual(Object.keys(parts).filter((k) => !['total', 'results', 'facets', 'suggestion', 'phraseRelaxed'].includes(k)), []);
});

// A page found by a word far into its text, or in the front-matter text it shows, gets an
// excerpt around that word: on the search page once its text is in, through the API when asked.
test('every excerpt shows a word the result was found by, from disk too', async () => {
  const q = 'lastensuojeluilmoitus';
  const marked = (page) => page.$$eval('#hakutulokset li.entry > p.excerpt', (ps) => ps.map((p) => p.querySelectorAll('mark').length > 0));
  for (const url of [http.url + 'haku/?q=' + q, pathToFileURL(join(fileSite, 'haku', 'index.html')).href + '?q=' + q]) {
    const { page, errors } = await openPage(b, url);
    await results(page);
    await page.waitForFunction(() => [...document.querySelectorAll('#hakutulokset li.entry > p.excerpt')].every((p) => p.querySelector('mark')));
    const shown = await marked(page);
    assert.ok(shown.length >= 5 && shown.every(Boolean), `${url}: ${shown}`);
    assert.deepEqual(errors, []);
    await page.close();
  }
  const { page } = await openPage(b, http.url);
  const [first, full] = await page.evaluate(async (q) => {
    const count = (r) => [r.excerptsComplete, r.results.filter((x) => x.excerpt.includes('<mark>')).length, r.results.map((x) => x.url).join()];
    const first = count(await tietopankki.search(q, { limit: 5 }));
    return [first, count(await tietopankki.search(q, { limit: 5, excerpts: 'full' }))];
  }, q);
  // Without asking, the starts of the pages: some show no match and say so.
  assert.equal(first[0], false, first.join(' '));
  assert.ok(first[1] < 5, first.join(' '));
  assert.deepEqual(full, [true, 5, first[2]]);
  await page.close();
  // A text that cannot load (a partial deploy) leaves the page's start as the excerpt, and
  // the search as it was: no error in place of the results' count.
  const broken = await b.newPage();
  await broken.route(/-t\d+\.[0-9a-f]+\.js$/, (route) => route.abort());
  await broken.goto(http.url + 'haku/?q=' + q);
  await results(broken);
  const api = await broken.evaluate(async (q) => {
    const r = await tietopankki.search(q, { limit: 5, excerpts: 'full' });
    return [r.excerptsComplete, r.results.length];
  }, q);
  assert.deepEqual(api, [false, 5]);
  assert.match(await broken.textContent('#hakutila'), /^\d+ tulosta$/);
  await broken.close();
});

// Inflected, folded, prefixes, several words, base forms whose other forms
// Snowball stems apart, unknown compounds alone or beside other words (found by their last
// part), a misspelt word beside another, a base no page uses (found by its forms, loaded after
// the first search); top 10 must equal the CLI's.
const QUERIES = ['lastensuojelussa', 'vanhemmuuden', 'perheterapiaa', 'nuorille', 'aiti', 'lastensuo', 'käytösongelmat',
  'päihteet', 'väkivalta', 'barnahus', 'konsultaatio', 'ot-keskus', 'vanhemman mielenterveys', 'haastavat erot', 'koulu',
  'ahdistus', 'masennus nuori', 'ryhmä vanhemmille', 'kasvun tuki', 'näyttö', 'terapiatakuu', 'palvelutarpeen arviointi',
  'sijaishuolto', 'perhekeskus', 'neuvola', 'trauma', 'kiusaaminen', 'itä-suomi', 'pohjoinen', 'mdft',
  '"lapset puheeksi"', '"varhainen tuki" vanhemmuus', '"vanhemman mielenterveys"',
  'lapsi', 'nuori ', 'hoidon', 'väkivallasta', 'perheväkivalta', 'koulukiusaaminen', 'mielenterveyshäiriö',
  'koulukiusaaminen nuori', 'perheväkivalta lapsi', 'lastensuojleu nuoret', 'äiti', 'äiti masennus', 'raskaana oleva äiti ', 'äidit',
  // Few pages with every word: the pages with some follow; a compound's parts written apart.
  'masentunut nuori', 'traumaattinen kokemus', 'vanhempainryhmä', 'lastensuojeluilmoitus', 'vanhempainryhmä lapsi',
  // Function words: left out beside other words, kept in a phrase.
  'lapsen ja perheen tuki', 'autismi ja koulu', '"ahdistus ja masennus" nuori'];

test('the shards guessed before the runtime is in are ones the query needs', async () => {
  for (const q of [...QUERIES, 'Äiti', 'lapsen ja perheen', 'perheterapiaa nuorille', 'OT-keskus 2023', 'ja',
    'Netti JA että peli', '"lapsen ja perheen" ja tuki']) {
    const { page } = await openPage(b, http.url);
    const before = http.requests.length;
    const unused = await page.evaluate(async (q) => {
      await tietopankki.search(q, { lang: 'fi', limit: 10 });
      return tietopankki._unused();
    }, q);
    assert.deepEqual(unused, [], q);
    assert.ok(http.requests.slice(before).some((p) => /\/fi-s\d+\./.test(p)), `no shard for ${q}`);
    await page.close();
  }
});

test(`the browser ranks the first ten like the CLI for ${QUERIES.length} queries, quoted phrases too`, async () => {
  // Each query on a cold page: what earlier queries loaded must not stand in for its own files.
  for (const q of QUERIES) {
    const { page } = await openPage(b, http.url);
    const cli = JSON.parse(tietopankki(['search', q, '--limit', '10', '--format', 'json'])).results.map((r) => r.url);
    const web = (await page.evaluate((q) => tietopankki.search(q, { lang: 'fi', limit: 10 }), q)).results.map((r) => r.url.replace(http.url, ''));
    assert.deepEqual(web, cli, q);
    assert.ok(cli.length > 0, `no results for ${q}`);
    await page.close();
  }
});
