// Analyzer parity: the tantivy path (tietopankki analyze) and the browser's wasm runtime give
// identical terms for every word form of the bundled content, in Finnish, Swedish and English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, tietopankki } from './common.mjs';

function words() {
  const set = new Set();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(md|yaml)$/.test(e.name)) for (const w of readFileSync(p, 'utf8').match(/[\p{L}\p{N}]+/gu) || []) set.add(w);
    }
  };
  walk(join(REPO, 'content'));
  // Inflected forms the content may lack, and forms with and without diacritics.
  for (const stem of ['lapsi', 'lasten', 'äiti', 'äidin', 'aiti', 'perhe', 'vanhemmuus', 'vanhemmuuden', 'LASTENSUOJELUSSA', 'Åland', 'Øre', 'naïve']) set.add(stem);
  return [...set].sort();
}

async function wasm() {
  const bytes = readFileSync(join(REPO, 'search-index', 'runtime', 'search_index.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const x = instance.exports;
  return (lang, text) => {
    const b = new TextEncoder().encode(text);
    const p = x.tp_alloc(b.length);
    new Uint8Array(x.memory.buffer, p, b.length).set(b);
    const r = x.tp_analyze(lang, p, b.length);
    x.tp_free(p, b.length);
    return new TextDecoder().decode(new Uint8Array(x.memory.buffer, Number(r >> 32n), Number(r & 0xffffffffn)));
  };
}

test('tantivy and wasm analyzers agree on every word form', async () => {
  const list = words();
  assert.ok(list.length >= 5000, `only ${list.length} word forms`);
  const analyze = await wasm();
  const text = list.join('\n') + '\n';
  for (const [code, lang] of [[0, 'fi'], [1, 'sv'], [2, 'en']]) {
    const native = tietopankki(['analyze', '--lang', lang], text).split('\n');
    const browser = analyze(code, text).split('\n');
    assert.equal(native.length, browser.length, lang);
    for (let i = 0; i < native.length; i++) assert.equal(browser[i], native[i], `${lang}: ${list[i]}`);
  }
});
