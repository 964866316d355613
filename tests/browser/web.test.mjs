// The ksauth web app in a real browser (Debian's chromium via playwright-core) against a real `ksauth serve`
// and the CMU keystroke benchmark served over loopback. Run: node --test tests/browser/
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CMU_CHAIN, CMU_TEST, DATA_DIR, OUTPUT_DIR, launchBrowser, newPage, prerequisites, screenshot, startFileServer,
  startKsauth, stopAll } from './harness.mjs';

const missing = prerequisites();
const XSS = '<img src=x onerror=alert(1)>';

describe('ksauth web app', { skip: missing.length ? missing.join('; ') : false }, () => {
  let app; let data; let browser; let page;
  const chainUrl = () => data.url + CMU_CHAIN;
  const testUrl = () => data.url + CMU_TEST;
  const go = (file) => page.goto(app.url + file, { waitUntil: 'networkidle' });
  const text = (sel) => page.locator(sel).innerText();
  const rows = (sel) => page.locator(`${sel} tbody tr`).count();

  before(async () => {
    // allSettled: if one fails, the others have still started (and are stopped in after()).
    const results = await Promise.allSettled([startKsauth(), startFileServer(), launchBrowser()]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    [app, data, browser] = results.map((r) => r.value);
    page = await newPage(browser);
    console.log(`# ksauth at ${app.url}, data at ${data.url}, screenshots in ${OUTPUT_DIR}`);
  }, { timeout: 60000 });

  after(async () => {
    await stopAll();
  }, { timeout: 30000 });

  const noErrors = () => {
    assert.deepEqual(page.errors, [], 'uncaught page errors');
    assert.deepEqual(page.dialogs.filter((d) => d.type === 'alert'), [], 'an alert() fired');
  };

  test('every page loads with the shared navbar and vendor assets', { timeout: 90000 }, async () => {
    for (const [file, title] of [['index.html', 'Home'], ['analyze.html', 'Analyze'], ['train.html', 'Train'],
      ['evaluate.html', 'Evaluate'], ['models.html', 'Models'], ['verify.html', 'Verify']]) {
      const responses = [];
      const listener = (r) => responses.push([r.url(), r.status()]);
      page.on('response', listener);
      await go(file);
      page.off('response', listener);
      assert.deepEqual(responses.filter(([, s]) => s >= 400), [], `failed requests on ${file}`);
      assert.deepEqual(await page.locator('#navbar .nav-link').allInnerTexts(), ['Home', 'Analyze', 'Train', 'Evaluate', 'Models', 'Verify']);
      assert.equal(await page.locator('#navbar .nav-link.active').innerText(), title);
      assert.ok(await page.evaluate(() => getComputedStyle(document.querySelector('#navbar')).backgroundColor !== 'rgba(0, 0, 0, 0)'),
        'Bootstrap CSS applied');
    }
    await go('index.html');
    await page.waitForSelector('#datasets p, #datasets table');
    assert.match(await text('#datasets'), /No data set yet/);
    await screenshot(page, '01-home-empty');
    noErrors();
  });

  test('analyze: refuses N > 1000 client-side, shows the server error for a missing URL', { timeout: 90000 }, async () => {
    await go('analyze.html');
    await page.fill('#analyze-url', chainUrl());
    await page.fill('#analyze-first-n', '5000');
    let posted = false;
    const onReq = (r) => { if (r.url().includes('/api/v1/datasets') && r.method() === 'POST') posted = true; };
    page.on('request', onReq);
    await page.click('#analyze-submit');
    await page.waitForSelector('#analyze-first-n.is-invalid');
    assert.match(await text('.invalid-feedback[data-for="analyze-first-n"]'), /At most 1000 rows/);
    assert.equal(posted, false, 'the form was sent anyway');
    page.off('request', onReq);

    await page.fill('#analyze-first-n', '10');
    await page.fill('#analyze-url', `${data.url}no/such/page.json`);
    await page.click('#analyze-submit');
    await page.waitForSelector('#analyze-alert .alert-danger');
    assert.match(await text('#analyze-alert'), /HTTP 404/);
    page.consoleErrors.length = 0; // the 404 above is logged by the browser
  });

  test('analyze: the CMU chain shows its summary, tables and the rhythm chart', { timeout: 90000 }, async () => {
    await go('analyze.html');
    await page.fill('#analyze-url', chainUrl());
    await page.fill('#analyze-first-n', '25');
    await page.click('#analyze-submit');
    await page.waitForSelector('#rhythm-chart[data-drawn]', { timeout: 30000 });
    const stat = (k) => text(`[data-stat="${k}"] .stat-value`);
    assert.equal(await stat('users'), '51');
    assert.equal(await stat('enrolled'), '51');
    assert.equal(await stat('attempts'), '15,300');
    assert.equal(await stat('valid'), '15,300');
    assert.equal(await stat('invalid'), '0');
    assert.equal(await stat('pages'), '51');
    assert.equal(await text('#summary-phrase'), '.tie5Roanl');
    assert.equal(await text('#phrase-source'), 'inferred');
    assert.equal(await text('#from-store'), 'downloaded');
    assert.equal(await rows('#users-table'), 51);
    assert.equal(await rows('#keystrokes-table'), 25);
    assert.equal(await rows('#features-table'), 25);
    assert.equal(await page.locator('#keystrokes-table tbody tr').first().locator('td').count(), 11);
    assert.equal(await page.locator('#rhythm-user option').count(), 52);
    // The canvas has pixels drawn on it.
    const painted = () => page.evaluate(() => {
      const c = document.querySelector('#rhythm-chart');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(await painted() > 5000, 'the rhythm chart is blank');
    await page.selectOption('#rhythm-user', 's050');
    await page.waitForSelector('#rhythm-chart[data-drawn="s050"]');
    assert.ok(await painted() > 5000);
    await screenshot(page, '02-analyze-cmu');

    // Loaded again: read from the store.
    await page.click('#analyze-submit');
    await page.waitForFunction(() => document.querySelector('#from-store')?.textContent === 'read from the store');
    noErrors();
    assert.deepEqual(page.consoleErrors, []);
  });

  test('analyze: an uploaded page with a hostile user label shows it as text', { timeout: 90000 }, async () => {
    await go('analyze.html');
    const ev = (c, t) => ({ character: c, typed_at: `2019-01-16T15:06:${t.toFixed(6).padStart(9, '0')}` });
    const page1 = {
      user_data: Array.from({ length: 4 }, (_, i) => [...'hello'].map((c, j) => ev(c, 1 + 10 * i + 0.2 * j + 0.01 * i * j))),
      user_label: XSS,
      next: null,
    };
    await page.setInputFiles('#upload-file', { name: 'xss<b>.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(page1)) });
    await page.click('#upload-submit');
    await page.waitForSelector('#users-table');
    await page.waitForSelector('#rhythm-chart[data-drawn]');
    assert.equal(await text('#summary-source'), 'upload:xss<b>.json');
    assert.equal(await text('#from-store'), 'uploaded');
    assert.equal(await page.locator('#users-table tbody td').first().textContent(), XSS);
    assert.equal(await page.locator('#keystrokes-table tbody tr').first().locator('td').nth(2).textContent(), XSS);
    assert.equal(await page.locator('#analysis img, #analysis b').count(), 0, 'markup from the data was rendered');
    assert.match(await page.locator('#rhythm-user').innerText(), /<img src=x onerror=alert\(1\)>/);
    await page.waitForTimeout(300); // give an injected onerror the time to fire
    await screenshot(page, '03-analyze-upload-xss');
    noErrors();
    assert.deepEqual(page.dialogs, []);
  });

  test('train: progress reaches 100%, the comparison and confusion matrix appear; a used name is refused', { timeout: 90000 }, async () => {
    await go('train.html');
    assert.deepEqual(await page.locator('#train-type option').allInnerTexts(), ['adaboost', 'manhattan', 'mlp', 'lstm']);
    assert.equal(await page.inputValue('#param-n_estimators'), '200');
    assert.equal(await page.inputValue('#train-holdout'), '0.2');
    await page.fill('#train-url', chainUrl());
    await page.fill('#train-name', 'ada10');
    await page.fill('#param-n_estimators', '10');
    // Record every progress value the bar shows.
    await page.evaluate(() => {
      window.seenProgress = [];
      new MutationObserver(() => window.seenProgress.push(Number(document.querySelector('#job-progress').getAttribute('aria-valuenow'))))
        .observe(document.querySelector('#job-progress'), { attributes: true, attributeFilter: ['aria-valuenow'] });
    });
    await page.click('#train-submit');
    await page.waitForSelector('#job-card:not([hidden])');
    await page.waitForFunction(() => document.querySelector('#job-progress').getAttribute('aria-valuenow') === '100', null, { timeout: 60000 });
    await page.waitForSelector('#comparison-table');
    assert.equal(await page.locator('#job-bar').evaluate((b) => b.style.width), '100%');
    assert.equal(await text('#job-status-badge'), 'done');
    const seen = await page.evaluate(() => window.seenProgress);
    assert.deepEqual([...seen].sort((a, b) => a - b), seen, `progress went backwards: ${seen}`);
    assert.match(await text('#comparison-table'), /ada10/);
    assert.deepEqual((await page.locator('#comparison-table thead th').allInnerTexts()).slice(3, 8).map((h) => h.replace(/\s+/g, ' ')),
      ['accuracy', 'precision', 'recall', 'F1', 'ROC AUC']);
    assert.equal(await rows('#confusion-table'), 51);
    assert.equal(await page.locator('#confusion-table tbody tr').first().locator('td').count(), 51);
    const acc = Number(await page.locator('#comparison-table tbody tr', { hasText: 'ada10' }).locator('td').nth(3).innerText());
    assert.ok(acc > 0.7 && acc <= 1, `accuracy ${acc}`);
    await screenshot(page, '04-train-done');

    // The same name again: the server's 409 is shown.
    await page.click('#train-submit');
    await page.waitForSelector('#train-alert .alert-danger');
    assert.match(await text('#train-alert'), /already exists.*HTTP 409/s);
    // A holdout out of (0,1) is refused before sending.
    await page.fill('#train-holdout', '1');
    await page.click('#train-submit');
    await page.waitForSelector('#train-holdout.is-invalid');

    // A long job can be cancelled while it trains: no model is stored.
    await page.fill('#train-holdout', '0.2');
    await page.selectOption('#train-type', 'adaboost');
    await page.fill('#train-name', 'long');
    await page.fill('#param-n_estimators', '5000');
    await page.click('#train-submit');
    await page.waitForFunction(() => /^training round \d+ of 5000$/.test(document.querySelector('#job-step').textContent), null, { timeout: 30000 });
    await page.click('#job-cancel');
    await page.waitForFunction(() => document.querySelector('#job-status-badge')?.textContent === 'cancelled', null, { timeout: 30000 });
    assert.match(await text('#train-alert'), /cancelled/);
    assert.equal(await page.locator('#job-cancel').isVisible(), false);

    // A second model (no parameters) joins the comparison: one bar series per model.
    await page.selectOption('#train-type', 'manhattan');
    assert.match(await text('#train-params'), /no parameters/);
    await page.fill('#train-name', 'man1');
    await page.click('#train-submit');
    await page.waitForFunction(() => document.querySelector('#job-status-badge')?.textContent === 'done'
      && document.querySelector('#result-name')?.textContent === 'man1' && !document.querySelector('#result').hidden, null, { timeout: 60000 });
    assert.equal(await rows('#comparison-table'), 2);
    assert.equal(await page.evaluate(() => Chart.getChart(document.querySelector('#comparison-chart')).data.datasets.length), 2);
    await screenshot(page, '04b-train-comparison');

    // A neural model, its parameters from the server's list: a few epochs, and a third row.
    await page.selectOption('#train-type', 'mlp');
    assert.equal(await page.inputValue('#param-hidden1'), '256');
    await page.fill('#param-epochs', '3');
    await page.fill('#train-name', 'mlp3');
    await page.click('#train-submit');
    await page.waitForFunction(() => document.querySelector('#job-status-badge')?.textContent === 'done'
      && document.querySelector('#result-name')?.textContent === 'mlp3' && !document.querySelector('#result').hidden, null, { timeout: 60000 });
    assert.equal(await rows('#comparison-table'), 3);
    assert.match(await text('#comparison-table'), /mlp3[^\n]*\tmlp\t/);
    page.consoleErrors.length = 0;
    noErrors();
  });

  test('evaluate: predictions are listed and every row exports to output_predictions.csv', { timeout: 90000 }, async () => {
    await go('evaluate.html');
    // The stored models are listed by themselves (the newest selected).
    await page.waitForFunction(() => document.querySelector('#evaluate-model').options.length === 3);
    assert.equal(await page.inputValue('#evaluate-model'), 'mlp3');
    await page.selectOption('#evaluate-model', 'ada10');
    await page.fill('#evaluate-url', testUrl());
    await page.fill('#evaluate-first-n', '1001');
    await page.click('#view-predictions');
    await page.waitForSelector('#evaluate-first-n.is-invalid');
    await page.fill('#evaluate-first-n', '30');
    await page.click('#view-predictions');
    await page.waitForSelector('#predictions-table');
    assert.equal(await rows('#predictions-table'), 30);
    assert.equal(await text('#predictions-counts'), '5,100 attempts, 5,100 ok, 0 invalid');
    const statuses = await page.locator('#predictions-table tbody tr td:nth-child(2)').allInnerTexts();
    assert.ok(statuses.every((s) => s.trim() === 'ok'), `statuses: ${statuses}`);
    const first = page.locator('#predictions-table tbody tr').first().locator('td');
    assert.match(await first.nth(2).innerText(), /^s\d{3}$/);
    assert.match(await first.nth(3).innerText(), /^\d+\.\d%$/);
    assert.equal((await first.nth(4).innerText()).match(/s\d{3}/g).length, 3);
    await screenshot(page, '05-evaluate-predictions');

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), page.click('#export-csv')]);
    assert.equal(download.suggestedFilename(), 'output_predictions.csv');
    const file = path.join(OUTPUT_DIR, 'output_predictions.csv');
    await download.saveAs(file);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 5101);
    assert.equal(lines[0], 'attempt,status,predicted_user,confidence');
    assert.match(lines[1], /^0,ok,s\d{3},0\.\d+$/);
    console.log(`# csv: ${file}`);
    await page.waitForSelector('#evaluate-alert .alert-success');

    // The neural model scores the same attempts.
    await page.selectOption('#evaluate-model', 'mlp3');
    await page.click('#view-predictions');
    await page.waitForFunction(() => /^Model mlp3,[^]*5,100 ok/.test(document.querySelector('#predictions-summary')?.textContent ?? ''),
      null, { timeout: 30000 });
    noErrors();
    assert.deepEqual(page.consoleErrors, []);
  });

  test('home and models list the models; delete asks and removes one', { timeout: 90000 }, async () => {
    await go('index.html');
    await page.waitForSelector('#models-table');
    assert.match(await text('#models-table'), /ada10/);
    assert.match(await text('#datasets-table'), /upload:xss<b>\.json/);
    await screenshot(page, '06-home');

    await go('models.html');
    await page.waitForSelector('#models-table');
    assert.equal(await text('#models-count'), '3');
    const row = page.locator('#models-table tbody tr', { hasText: 'ada10' });
    assert.match(await row.innerText(), /n_estimators=10/);
    assert.equal(await row.locator('a', { hasText: 'Download' }).getAttribute('href'), '/api/v1/models/ada10/file');
    const [download] = await Promise.all([page.waitForEvent('download'), row.locator('a', { hasText: 'Download' }).click()]);
    assert.equal(download.suggestedFilename(), 'ada10.ksauth');
    await screenshot(page, '07-models');

    page.dialogs.length = 0;
    await row.locator('button', { hasText: 'Delete' }).click();
    await page.waitForFunction(() => document.querySelector('#models-count').textContent === '2');
    assert.equal(page.dialogs.length, 1);
    assert.equal(page.dialogs[0].type, 'confirm');
    assert.match(page.dialogs[0].message, /ada10/);
    assert.equal(await text('#models-count'), '2');
    assert.doesNotMatch(await text('#models-table'), /ada10/);
    assert.match(await text('#models-alert'), /deleted/);
    await screenshot(page, '08-models-deleted');
    noErrors();
    assert.deepEqual(page.consoleErrors, []);
  });

  test('verify: enrol a detector, see its DET curve and per-user EERs, verify a test file and one attempt', { timeout: 120000 }, async () => {
    await go('verify.html');
    await page.waitForSelector('#enroll-type option', { state: 'attached' });
    const labels = await page.locator('#enroll-type optgroup').evaluateAll((gs) => gs.map((g) => g.label));
    assert.equal(labels.length, 2);
    assert.match(labels[0], /Detectors/);
    const types = await page.locator('#enroll-type option').allInnerTexts();
    assert.equal(types[0], 'scaled_manhattan');
    assert.ok(types.includes('one_class_svm') && types.includes('adaboost'), types.join(','));
    assert.equal(types.filter((t) => t === 'manhattan').length, 2, 'manhattan as a detector and as a model');
    assert.match(await text('#verifier-select'), /none yet/);
    assert.match(await text('#enroll-params'), /no parameters/);
    await page.selectOption('#enroll-type', 'classifier:adaboost');
    assert.equal(await page.inputValue('#enroll-param-n_estimators'), '200');
    await page.selectOption('#enroll-type', 'detector:scaled_manhattan');

    // Checked in the page first.
    await page.fill('#enroll-url', chainUrl());
    await page.fill('#enroll-name', 'sm1');
    await page.fill('#enroll-target-fmr', '1.5');
    await page.click('#enroll-submit');
    await page.waitForSelector('#enroll-target-fmr.is-invalid');
    await page.fill('#enroll-target-fmr', '');
    await page.click('#enroll-submit');
    await page.waitForFunction(() => document.querySelector('#job-bar')?.textContent === '100%', null, { timeout: 60000 });
    assert.match(await text('#job-step'), /51 users enrolled/);
    await page.waitForSelector('#verifier:not([hidden]) #users-table', { state: 'attached' });
    assert.equal(await page.inputValue('#verifier-select'), 'sm1');
    assert.equal(await rows('#users-table'), 51);
    const eer = Number(await text('[data-stat="eer"] .stat-value'));
    assert.ok(eer > 0.05 && eer < 0.25, `mean EER ${eer}`);
    assert.match(await text('#verifier-facts'), /scaled_manhattan \(detector\), thresholds at each user's EER/);
    const charts = await page.evaluate(() => ['#det-chart', '#eer-chart'].map((sel) => {
      const c = Chart.getChart(document.querySelector(sel));
      return c ? [c.config.type ?? c.data.datasets[0].type, c.data.datasets[0].data.length] : null;
    }));
    assert.ok(charts[0] && charts[0][1] >= 20, `DET curve ${JSON.stringify(charts[0])}`);
    assert.deepEqual(charts[1], ['bar', 51]);
    await screenshot(page, '09-verify-enrolled');

    // A used name is refused by the server.
    await page.click('#enroll-submit');
    await page.waitForSelector('#enroll-alert .alert-danger');
    assert.match(await text('#enroll-alert'), /already exists.*HTTP 409/s);

    // Every attempt of the test file for the claimed user s002.
    await page.selectOption('#verify-user', 's002');
    await page.fill('#verify-url', testUrl());
    await page.fill('#verify-first-n', '10');
    await page.click('#verify-submit');
    await page.waitForSelector('#verify-table');
    assert.match(await text('#verify-counts'), /5,100 attempts, 5,100 scored, [\d,]+ accepted/);
    assert.equal(await rows('#verify-table'), 10);
    assert.match(await text('#verify-table'), /accept|reject/);
    await screenshot(page, '10-verify-file');

    // One attempt pasted as JSON; then one that is not JSON.
    const first = JSON.parse(fs.readFileSync(path.join(DATA_DIR, CMU_TEST), 'utf8')).attempts[0];
    await page.click('label[for="verify-source-attempt"]');
    assert.equal(await page.isVisible('#verify-attempt'), true);
    await page.fill('#verify-attempt', JSON.stringify(first));
    await page.click('#verify-submit');
    await page.waitForSelector('#verify-decision');
    assert.match(await text('#verify-decision'), /^(Accepted|Rejected): the attempt scores -?[\d.]+ for “s002”, whose threshold is -?[\d.]+/);
    await page.fill('#verify-attempt', '[{"character": "x"');
    await page.click('#verify-submit');
    await page.waitForSelector('#verify-attempt.is-invalid');
    await page.fill('#verify-attempt', JSON.stringify(first.slice(0, 3)));
    await page.click('#verify-submit');
    await page.waitForSelector('#verify-alert .alert-danger');
    assert.match(await text('#verify-alert'), /does not spell the phrase.*HTTP 400/s);
    assert.equal(await page.locator('#verify-decision').count(), 0, 'the earlier answer is gone');
    await screenshot(page, '11-verify-attempt');

    // Home lists it, linked to its page.
    await go('index.html');
    await page.waitForSelector('#verifiers-table');
    assert.equal(await text('#verifiers-count'), '1');
    assert.match(await text('#verifiers-table'), /sm1\s*scaled_manhattan[^]*51[^]*each user's EER/);
    await page.click('#verifiers-table a');
    await page.waitForSelector('#verifier:not([hidden]) #users-table', { state: 'attached' });
    assert.equal(await page.inputValue('#verifier-select'), 'sm1');

    // Delete asks first, then the page has no verifier.
    page.dialogs.length = 0;
    await page.click('#verifier-delete');
    await page.waitForFunction(() => /none yet/.test(document.querySelector('#verifier-select').textContent));
    assert.equal(page.dialogs.length, 1);
    assert.match(page.dialogs[0].message, /sm1/);
    assert.match(await text('#verifier-alert'), /deleted/);
    assert.equal(await page.isVisible('#verify-card'), false);
    noErrors();
    // The browser logs the two refusals asked for above (the used name, the attempt that is not the phrase).
    assert.deepEqual(page.consoleErrors.map((e) => e.match(/status of (\d+)/)?.[1]), ['409', '400']);
  });
});
