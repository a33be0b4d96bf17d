// Shared helpers for the browser tests: the binary, builds, a loopback static server, Chromium.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, resolve, normalize } from 'node:path';
import { chromium } from 'playwright-core';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const BIN = process.env.TIETOPANKKI_BIN || join(REPO, 'target', 'release', 'tietopankki');

export function tietopankki(args, input) {
  return execFileSync(BIN, args, { cwd: REPO, input, maxBuffer: 1 << 28 }).toString();
}

/** Builds the bundled content into a fresh temporary folder and returns it. */
export function buildSite(extra = []) {
  const out = mkdtempSync(join(tmpdir(), 'tietopankki-'));
  tietopankki(['build', '--quiet', '--output', join(out, 'site'), ...extra]);
  return join(out, 'site');
}

export const TYPES = { '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.xml': 'application/xml' };

/** The Content Security Policy the site is served and tested under (README). */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:";

/** Serves `dir` on 127.0.0.1 with a strict CSP, and records every request path. With
 *  `{gzip: true}`, gzipped (level 6) to a browser that accepts it, as static hosts and CDNs
 *  send text and wasm: for measuring over a throttled link, where the bytes sent count.
 *  For a bench's own additions: `answer(req, res, path)` answers what it returns true for,
 *  and `rewrite(path, body)` gives the body to send for a file of the site. */
export function serve(dir, { gzip = false, answer = () => false, rewrite = (path, body) => body } = {}) {
  const requests = [];
  const zipped = new Map();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(path);
    if (answer(req, res, path)) return;
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404).end(readFileSync(join(dir, '404.html'))); return; }
    const headers = {
      'content-type': TYPES[extname(file)] || 'application/octet-stream',
      'content-security-policy': CSP,
    };
    if (gzip && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      // By path: `rewrite` may give two paths of one file different bodies.
      if (!zipped.has(path)) zipped.set(path, gzipSync(rewrite(path, readFileSync(file)), { level: 6 }));
      res.writeHead(200, { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding' }).end(zipped.get(path));
      return;
    }
    res.writeHead(200, headers);
    res.end(rewrite(path, readFileSync(file)));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, requests, url: `http://127.0.0.1:${server.address().port}/` })));
}

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];

export async function browser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Opens a page that fails the test on any script error or CSP violation. */
export async function openPage(b, url) {
  const page = await b.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  return { page, errors };
}
