// Accessibility of the built site in Chromium: axe-core (WCAG 2.1 A and AA) on the page types
// readers use, in Finnish and Swedish, under the strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildSite, serve, browser, openPage } from './common.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let http, b;
before(async () => { http = await serve(buildSite()); b = await browser(); });
after(async () => { await b?.close(); http?.server.close(); });

const PAGES = [
  '', 'menetelmat/ihmeelliset-vuodet/', 'keskukset/ita-suomen-ot-keskus/', 'palvelupolut/kaytosongelmat-3-12/',
  'haku/?q=lastensuojelu', 'teemat/kaytosongelmat/', 'sanasto/', 'saavutettavuusseloste/', 'menetelmat/',
  // Results lacking a word say so in a smaller, muted line, which must keep its contrast.
  'haku/?q=masentunut+nuori',
];

// The Swedish site: the same page types (the behaviour-problems pathway is translated).
const SV = PAGES.map((p) => p.replace('q=lastensuojelu', 'q=barnskydd').replace('q=masentunut+nuori', 'q=deprimerad+ungdom'));

for (const [lang, pages] of [['', PAGES], ['sv/', SV]]) {
  for (const path of pages) {
    test(`axe: /${lang}${path} has no WCAG 2.1 A/AA violations`, async () => {
      const { page, errors } = await openPage(b, http.url + lang + path);
      if (path.startsWith('haku/')) await page.waitForSelector('#hakutulokset li');
      // axe is injected through the DevTools protocol, so the page's CSP stays strict.
      await page.evaluate(axeSource);
      const result = await page.evaluate(() => axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
      const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`);
      assert.deepEqual(found, []);
      assert.deepEqual(errors, []);
    });
  }
}

test('no request leaves the site', async () => {
  const { page } = await openPage(b, http.url);
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(http.url) && !r.url().startsWith('data:')) outside.push(r.url()); });
  for (const path of ['', 'menetelmat/ihmeelliset-vuodet/', 'palvelupolut/kaytosongelmat-3-12/', 'haku/?q=perhe']) {
    await page.goto(http.url + path);
    await page.waitForLoadState('networkidle');
  }
  assert.deepEqual(outside, []);
});

test('the page works at 320 px without horizontal scrolling', async () => {
  const page = await b.newPage({ viewport: { width: 320, height: 640 } });
  for (const path of ['', 'menetelmat/ihmeelliset-vuodet/', 'palvelupolut/kaytosongelmat-3-12/', 'haku/?q=perhe']) {
    await page.goto(http.url + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `/${path} scrolls sideways by ${overflow}px`);
  }
});
