// Shared set-up for the browser tests: a `ksauth serve` on a free port with a temporary database, a loopback
// static file server for the data, and Debian's chromium driven by playwright-core. Everything started here
// is stopped by stopAll(), which the test files call in after() (and which also runs on process exit).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BINARY = process.env.KSAUTH_BINARY || path.join(REPO, 'build/ksauth');
export const DATA_DIR = process.env.KSAUTH_DATA_DIR || path.resolve(REPO, '../shared/data');
export const OUTPUT_DIR = process.env.KSAUTH_TEST_OUTPUT
  || (process.env.KSAUTH_BUILD_DIR ? path.join(process.env.KSAUTH_BUILD_DIR, 'browser-shots') : '/tmp/ksauth-browser-shots');
export const CHROMIUM = process.env.KSAUTH_CHROMIUM || '/usr/bin/chromium';
export const CMU_CHAIN = 'cmu-dsl2009/chain/train/user_s002.json';
export const CMU_TEST = 'cmu-dsl2009/chain/test_attempts.json';

export const haveData = () => fs.existsSync(path.join(DATA_DIR, CMU_CHAIN)) && fs.existsSync(path.join(DATA_DIR, CMU_TEST));
export const prerequisites = () => [
  [fs.existsSync(BINARY), `no ksauth binary at ${BINARY} (set KSAUTH_BINARY)`],
  [fs.existsSync(CHROMIUM), `no chromium at ${CHROMIUM} (apt-get install chromium)`],
  [haveData(), `no CMU data under ${DATA_DIR} (set KSAUTH_DATA_DIR)`],
].filter(([ok]) => !ok).map(([, why]) => why);

const started = { children: [], servers: [], browsers: [], dirs: [] };

// `ksauth serve --port 0`: resolves with its base URL once it prints "ksauth serving http://127.0.0.1:PORT/ ...".
// `env` is added to the server's environment (KSAUTH_API_TOKEN, for one).
export async function startKsauth({ env = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksauth-browser-'));
  started.dirs.push(dir);
  const child = spawn(BINARY, ['--db', path.join(dir, 'web.db'), 'serve', '--host', '127.0.0.1', '--port', '0',
    '--web', path.join(REPO, 'web'), '--allow-hosts', '127.0.0.1'],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  started.children.push(child);
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ksauth serve did not start in 15 s:\n${output}`)), 15000);
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/ksauth serving (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`ksauth serve exited (${code}):\n${output}`)); });
  });
  child.stdout.resume();
  child.stderr.resume();
  return { url, child, dbDir: dir };
}

// A loopback static file server over `root` (GET only, no climbing out of it).
export async function startFileServer(root = DATA_DIR) {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.resolve(root, `.${rel}`);
    if (req.method !== 'GET' || !file.startsWith(path.resolve(root) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    fs.createReadStream(file).pipe(res);
  });
  server.keepAliveTimeout = 1000;
  started.servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}/`, server };
}

export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  started.browsers.push(browser);
  return browser;
}

// A page that records uncaught errors, console errors and dialogs (dialogs are accepted; a prompt with
// `promptAnswer`).
export async function newPage(browser, { promptAnswer } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.errors = [];
  page.consoleErrors = [];
  page.dialogs = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
  page.on('dialog', async (d) => {
    page.dialogs.push({ type: d.type(), message: d.message() });
    await d.accept(d.type() === 'prompt' ? promptAnswer : undefined);
  });
  return page;
}

export async function screenshot(page, name) {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`# screenshot: ${file}`);
  return file;
}

export async function stopAll() {
  for (const b of started.browsers.splice(0)) await b.close().catch(() => {});
  for (const s of started.servers.splice(0)) {
    s.closeAllConnections?.();
    await new Promise((resolve) => s.close(() => resolve()));
  }
  for (const c of started.children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = once(c, 'exit');
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  for (const d of started.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

process.on('exit', () => {
  for (const c of started.children) if (c.exitCode === null) c.kill('SIGKILL');
});
