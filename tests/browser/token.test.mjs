// The web app against a server that asks for an API token (ksauth serve with KSAUTH_API_TOKEN): the first
// action that changes something asks for the token once, then every request of the tab sends it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CMU_CHAIN, launchBrowser, newPage, prerequisites, startFileServer, startKsauth, stopAll } from './harness.mjs';

const missing = prerequisites();
const TOKEN = 'browser-test-token-0123456789';

describe('ksauth web app with an API token', { skip: missing.length ? missing.join('; ') : false }, () => {
  let app; let data; let browser;

  before(async () => {
    const results = await Promise.allSettled([startKsauth({ env: { KSAUTH_API_TOKEN: TOKEN } }), startFileServer(), launchBrowser()]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    [app, data, browser] = results.map((r) => r.value);
  }, { timeout: 60000 });

  after(async () => { await stopAll(); }, { timeout: 30000 });

  const analyze = async (page) => {
    await page.goto(app.url + 'analyze.html', { waitUntil: 'networkidle' });
    await page.fill('#analyze-url', data.url + CMU_CHAIN);
    await page.fill('#analyze-first-n', '3');
    await page.click('#analyze-submit');
    await page.waitForSelector('#analyze-alert .alert-danger, #analysis:not([hidden])', { timeout: 60000 });
  };

  test('a wrong token is refused and forgotten', { timeout: 90000 }, async () => {
    const page = await newPage(browser, { promptAnswer: 'not-the-token' });
    await analyze(page);
    assert.match(await page.locator('#analyze-alert').innerText(), /the API token sent is not this server's/);
    assert.equal(page.dialogs.filter((d) => d.type === 'prompt').length, 1);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('ksauth.apiToken')), null);
    await page.context().close();
  });

  test('the token is asked once, then sent with every request', { timeout: 120000 }, async () => {
    const page = await newPage(browser, { promptAnswer: TOKEN });
    const sent = [];
    page.on('request', (r) => { if (r.url().includes('/api/v1/datasets') && r.method() === 'POST') sent.push(r.headers().authorization); });
    await analyze(page);
    assert.equal(await page.locator('#analyze-alert .alert-danger').count(), 0, await page.locator('#analyze-alert').innerText());
    await analyze(page);  // the same tab: no second prompt
    assert.equal(page.dialogs.filter((d) => d.type === 'prompt').length, 1);
    assert.deepEqual(sent, [undefined, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
