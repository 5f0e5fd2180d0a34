// End-to-end tests of the <efa-form> widget in Debian's Chromium, against
// the example portals served by ./server.mjs. Prints `N passed, N failed`
// last and exits non-zero on any failure. Screenshots of every state go to
// tests/e2e/artifacts/ (gitignored). Run: `node tests/e2e/run.mjs [filter]`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { launch } from './browser.mjs';
import { expectSnapshot, renderedMarkup } from './markup.mjs';
import { start, STRICT_CSP } from './server.mjs';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// ---------------------------------------------------------------- helpers

/** Opens a portal page and waits until the widget shows its first step. */
async function open(page, path) {
  await page.goto(server.url + path);
  await page.locator('.efa-step:not([hidden])').first().waitFor();
}

async function shot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** axe-core on the whole page (host and shadow DOM): no violations allowed. */
async function axe(page, what) {
  const result = await new AxeBuilder({ page }).analyze();
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `axe violations on ${what}`);
}

/** The focused element, looking into shadow roots. */
function focused(page) {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    return element && {
      id: element.id, tag: element.tagName, type: element.getAttribute('type'),
      text: element.textContent.trim(), className: element.className,
      action: element.dataset?.action ?? null, path: element.dataset?.path ?? null,
    };
  });
}

/** Presses Tab until `matches(focused)` — the only way a keyboard user moves. */
async function tabTo(page, matches, what) {
  for (let i = 0; i < 200; i += 1) {
    await page.keyboard.press('Tab');
    const element = await focused(page);
    if (element && matches(element)) return element;
  }
  throw new Error(`Tab never reached ${what}`);
}
const byId = (id) => (e) => e.id === id;
const button = (text) => (e) => e.tag === 'BUTTON' && e.text === text;

async function typeInto(page, id, text) {
  await tabTo(page, byId(id), `#${id}`);
  await page.keyboard.type(text);
}

async function typeDate(page, id, day, month, year) {
  await typeInto(page, `${id}-day`, day);
  await page.keyboard.press('Tab');
  await page.keyboard.type(month);
  await page.keyboard.press('Tab');
  await page.keyboard.type(year);
}

const heading = (page) => page.locator('section:not([hidden]) [tabindex="-1"]').first().textContent();
const el = (page, id) => page.locator(`[id="${id}"]`);

/** Fills the dog tax form validly with mouse and keyboard APIs, step by step. */
async function fillValid(page, { lastschrift = false } = {}) {
  await el(page, 'efa-vorname').fill('Erika');
  await el(page, 'efa-familienname').fill('Mustermann');
  await el(page, 'efa-geburtsdatum-day').fill('15');
  await el(page, 'efa-geburtsdatum-month').fill('4');
  await el(page, 'efa-geburtsdatum-year').fill('1980');
  await el(page, 'efa-anschrift-strasse').fill('Marktplatz');
  await el(page, 'efa-anschrift-hausnummer').fill('1');
  await el(page, 'efa-anschrift-plz').fill('12345');
  await el(page, 'efa-anschrift-ort').fill('Musterstadt');
  await el(page, 'efa-email').fill('erika@example.de');
  await next(page, 'Ihre Hunde');
  await el(page, 'efa-hund-0-name').fill('Bello');
  await el(page, 'efa-hund-0-rasse').selectOption('mischling');
  await el(page, 'efa-hund-0-geschlecht-0').check();
  await el(page, 'efa-hund-0-geburtsdatum-day').fill('1');
  await el(page, 'efa-hund-0-geburtsdatum-month').fill('3');
  await el(page, 'efa-hund-0-geburtsdatum-year').fill('2020');
  await el(page, 'efa-hund-0-haltung_seit-day').fill('1');
  await el(page, 'efa-hund-0-haltung_seit-month').fill('6');
  await el(page, 'efa-hund-0-haltung_seit-year').fill('2020');
  await next(page, 'Steuer und Zahlung');
  if (lastschrift) {
    await el(page, 'efa-zahlungsweise-0').check();
    await el(page, 'efa-sepa-kontoinhaber').fill('Erika Mustermann');
    await el(page, 'efa-sepa-iban').fill('DE89 3704 0044 0532 0130 00');
    await el(page, 'efa-sepa-mandat').check();
  } else {
    await el(page, 'efa-zahlungsweise-1').check();
  }
  await next(page, 'Angaben bestätigen');
  await el(page, 'efa-richtigkeit').check();
  await next(page, 'Angaben prüfen und absenden');
}

/** Clicks the submit button and expects the page titled `title`. */
async function next(page, title) {
  await page.locator('.efa-form button[type=submit]').click();
  await page.locator('section:not([hidden]) [tabindex="-1"]', { hasText: title }).first().waitFor();
}

async function send(page) {
  await page.locator('.efa-form button[type=submit]', { hasText: 'Absenden' }).click();
}

const submissions = () => server.state.submissions;

/**
 * Starts the real `efa serve` (debug build, built here if missing) on a free
 * port with a fresh SQLite file and an operator token for musterstadt.
 */
async function startService() {
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  const build = spawnSync('cargo', ['build', '-q', '-p', 'efa-cli', '--bin', 'efa'], { cwd: repo, stdio: 'inherit' });
  assert.equal(build.status, 0, 'efa builds');
  const dir = await mkdtemp(join(tmpdir(), 'efa-e2e-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(join(repo, 'target/debug/efa'),
    ['serve', '--addr', `127.0.0.1:${port}`, '--database', `sqlite://${join(dir, 'efa.db')}`], {
      cwd: repo,
      env: { ...process.env, EFA_OPERATOR_TOKENS: 'musterstadt=e2e-secret' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => chunk.toString().includes('listening on') && resolve());
    child.on('exit', (code) => reject(new Error(`efa serve exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

// ------------------------------------------------------------------ tests

test('keyboard only: a citizen completes the dog tax form, reviews it and gets a receipt', async (page) => {
  await open(page, '/musterstadt/');
  await axe(page, 'step 1');
  await shot(page, '01-step-1');
  await typeInto(page, 'efa-vorname', 'Erika');
  await typeInto(page, 'efa-familienname', 'Mustermann');
  await typeDate(page, 'efa-geburtsdatum', '15', '4', '1980');
  await typeInto(page, 'efa-anschrift-strasse', 'Marktplatz');
  await typeInto(page, 'efa-anschrift-hausnummer', '1');
  await typeInto(page, 'efa-anschrift-plz', '12345');
  await typeInto(page, 'efa-anschrift-ort', 'Musterstadt');
  await typeInto(page, 'efa-email', 'erika@example.de');
  await page.keyboard.press('Enter'); // Enter in a field continues
  await page.locator('text=Schritt 2 von 4').waitFor();
  assert.equal((await focused(page)).text, 'Ihre Hunde', 'the new step heading has the focus');
  await axe(page, 'step 2');
  await shot(page, '02-step-2');

  await typeInto(page, 'efa-hund-0-name', 'Bello');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'efa-hund-0-rasse');
  await page.keyboard.press('ArrowDown'); // first breed: Mischling
  await tabTo(page, byId('efa-hund-0-geschlecht-0'), 'first sex radio');
  await page.keyboard.press('Space');
  await typeDate(page, 'efa-hund-0-geburtsdatum', '1', '3', '2020');
  await typeDate(page, 'efa-hund-0-haltung_seit', '1', '6', '2020');
  await tabTo(page, button('Weiter'), 'Weiter');
  await page.keyboard.press('Enter');
  await page.locator('text=Schritt 3 von 4').waitFor();
  assert.equal(await el(page, 'efa-steuer').textContent(), '108,00 €', 'computed tax with Musterstadt rates');
  await axe(page, 'step 3');
  await shot(page, '03-step-3');

  await tabTo(page, (e) => e.id.startsWith('efa-zahlungsweise-'), 'payment radios');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown'); // bank transfer
  await tabTo(page, button('Weiter'), 'Weiter');
  await page.keyboard.press('Enter');
  await page.locator('text=Schritt 4 von 4').waitFor();
  await axe(page, 'step 4');
  await shot(page, '04-step-4');
  await tabTo(page, byId('efa-richtigkeit'), 'confirmation checkbox');
  await page.keyboard.press('Space');
  await tabTo(page, button('Weiter zur Prüfung'), 'Weiter zur Prüfung');
  await page.keyboard.press('Enter');
  await page.locator('.efa-review:not([hidden])').waitFor();
  const review = await page.locator('.efa-review').textContent();
  for (const answer of ['Erika', 'Mustermann', '15.04.1980', 'Mischling', 'Hündin', 'Per Überweisung nach Erhalt des Bescheids', '108,00 €']) {
    assert.ok(review.includes(answer), `review shows ${answer}`);
  }
  await axe(page, 'review page');
  await shot(page, '05-review');

  assert.equal(submissions().length, 0);
  await tabTo(page, button('Absenden'), 'Absenden');
  await page.keyboard.press('Enter');
  await page.locator('.efa-panel').waitFor();
  assert.match(await page.locator('.efa-panel').textContent(), /HS-2026-\d{6}/);
  assert.equal((await focused(page)).text, 'Antrag gesendet');
  await axe(page, 'receipt');
  await shot(page, '06-receipt');
  assert.equal(submissions().length, 1);
  const sent = submissions()[0];
  assert.match(sent.type, /^application\/json/);
  assert.ok(sent.headers['idempotency-key'], 'Idempotency-Key header');
  assert.deepEqual(sent.json.form, { id: 'hundesteuer-anmeldung', version: '1.0.0' });
  assert.equal(sent.json.data.vorname, 'Erika');
  assert.equal(sent.json.data.geburtsdatum, '1980-04-15');
  assert.equal(sent.json.data.hund[0].rasse, 'mischling');
  assert.equal(sent.json.data.zahlungsweise, 'ueberweisung');
  assert.equal(sent.json.data.steuer, '108.00');
  assert.match(await page.locator('#status').textContent(), /HS-2026/, 'host page got efa-submitted');
  await page.locator('.efa-language__link', { hasText: 'English' }).click();
  await page.getByRole('heading', { name: 'Application sent' }).waitFor();
  assert.match(await page.locator('.efa-panel').textContent(), /HS-2026-\d{6}/, 'the receipt survives a language switch');
});

test('Absenden on an incomplete form sends nothing; the focused summary links every missing field', async (page) => {
  await open(page, '/musterstadt/');
  // Continue on an empty first step: inline messages and a summary.
  await page.locator('.efa-form button[type=submit]').click();
  await page.locator('.efa-error-summary:not([hidden])').waitFor();
  assert.match(await page.title(), /^Fehler: /);
  assert.equal(await el(page, 'efa-vorname').getAttribute('aria-invalid'), 'true');
  const describedBy = await el(page, 'efa-vorname').getAttribute('aria-describedby');
  assert.ok(describedBy.includes('efa-vorname-error'), 'error linked by aria-describedby');
  assert.equal((await el(page, 'efa-vorname-error').textContent()).replace('Fehler: ', ''),
    await page.locator('.efa-error-summary a', { hasText: 'Vorname' }).textContent(), 'same words inline and in the summary');
  await axe(page, 'step 1 with errors');
  await shot(page, '07-step-1-errors');

  await page.locator('.efa-progress__link', { hasText: 'Angaben prüfen und absenden' }).click();
  await send(page);
  await page.locator('.efa-error-summary:not([hidden])').waitFor();
  assert.ok((await focused(page)).className.includes('efa-error-summary'), 'the summary has the focus');
  const links = await page.locator('.efa-error-summary a').allTextContents();
  const report = await page.evaluate(() => document.querySelector('efa-form').validate());
  assert.equal(report.valid, false);
  const expected = [...new Map(report.errors.map((e) => [e.path, e.message])).values()];
  assert.deepEqual(links, expected, 'one link per missing field, in the engine\'s words');
  for (const field of ['Vorname(n)', 'Familienname', 'Name des Hundes', 'Rasse', 'Wie möchten Sie die Steuer zahlen?']) {
    assert.ok(links.some((l) => l.includes(field)), `summary names ${field}`);
  }
  assert.equal(submissions().length, 0, 'nothing was sent');
  await axe(page, 'review page with errors');
  await shot(page, '08-send-incomplete');

  await page.locator('.efa-error-summary a', { hasText: 'Name des Hundes' }).click();
  await page.locator('text=Schritt 2 von 4').waitFor();
  assert.equal((await focused(page)).id, 'efa-hund-0-name', 'the link switched step and focused the field');
  await page.locator('.efa-error-summary a', { hasText: 'Familienname' }).click();
  assert.equal((await focused(page)).id, 'efa-familienname');
  assert.equal(await heading(page), 'Angaben zur Halterin oder zum Halter');
});

test('messages wait until the citizen leaves the field; the host hears efa-change', async (page) => {
  await open(page, '/musterstadt/');
  await page.evaluate(() => {
    window.changes = [];
    document.addEventListener('efa-change', (e) => window.changes.push(e.detail));
  });
  await el(page, 'efa-email').click();
  await page.keyboard.type('erika@');
  assert.equal(await el(page, 'efa-email-error').isVisible(), false, 'no message while typing');
  await page.keyboard.press('Tab');
  await el(page, 'efa-email-error').waitFor();
  assert.match(await el(page, 'efa-email-error').textContent(), /E-Mail-Adresse/);
  await el(page, 'efa-email').fill('erika@example.de');
  assert.equal(await el(page, 'efa-email-error').isVisible(), false, 'fixed: the message goes');
  const changes = await page.evaluate(() => window.changes);
  assert.deepEqual(changes.at(-1), { path: '/email', value: 'erika@example.de' });
});

test('a click right after typing is not lost to a message appearing above the button', async (page) => {
  // Tall enough that the field and the button are both on screen: no scroll
  // anchoring hides the shift.
  await page.setViewportSize({ width: 1280, height: 3000 });
  await open(page, '/musterstadt/');
  await page.locator('.efa-progress__link', { hasText: 'Ihre Hunde' }).click();
  await el(page, 'efa-hund-0-name').fill('Bello');
  await el(page, 'efa-hund-0-haltung_seit-day').fill('1');
  await el(page, 'efa-hund-0-haltung_seit-month').fill('6');
  await el(page, 'efa-hund-0-haltung_seit-year').fill('2020'); // its warning shows once the field is left
  await page.locator('.efa-form button[type=submit]').click();
  await page.locator('.efa-error-summary:not([hidden])').waitFor({ timeout: 2000 });
  assert.ok(await el(page, 'efa-hund-0-haltung_seit-warning').isVisible(), 'the warning shows after the click');
});

test('a host page may take over sending by cancelling efa-submit', async (page) => {
  await open(page, '/musterstadt/');
  await fillValid(page);
  await page.evaluate(() => document.addEventListener('efa-submit', (e) => {
    e.preventDefault();
    window.taken = e.detail;
  }));
  await send(page);
  await page.waitForFunction(() => window.taken);
  const envelope = await page.evaluate(() => window.taken);
  assert.equal(envelope.data.familienname, 'Mustermann');
  assert.equal(submissions().length, 0, 'the widget did not send');
  assert.equal(await page.locator('.efa-panel').count(), 0);
});

test('a field hidden after being filled is not in the request body', async (page) => {
  await open(page, '/musterstadt/');
  await el(page, 'efa-zugezogen').check();
  await el(page, 'efa-zuzugsdatum-day').fill('1');
  await el(page, 'efa-zuzugsdatum-month').fill('2');
  await el(page, 'efa-zuzugsdatum-year').fill('2020');
  await el(page, 'efa-bisherige_gemeinde').fill('Altdorf');
  await el(page, 'efa-zugezogen').uncheck();
  assert.equal(await el(page, 'efa-bisherige_gemeinde').isVisible(), false);
  await fillValid(page, { lastschrift: true });
  await page.locator('.efa-progress__link', { hasText: 'Steuer und Zahlung' }).click();
  await el(page, 'efa-zahlungsweise-1').check();
  assert.equal(await el(page, 'efa-sepa-iban').isVisible(), false, 'the mandate is hidden');
  await page.locator('.efa-progress__link', { hasText: 'Angaben prüfen und absenden' }).click();
  assert.ok(!(await page.locator('.efa-review').textContent()).includes('DE89'), 'review leaves hidden answers out');
  await send(page);
  await page.locator('.efa-panel').waitFor();
  const data = submissions()[0].json.data;
  assert.equal(data.zahlungsweise, 'ueberweisung');
  assert.equal(data.sepa, undefined, 'no SEPA data');
  assert.equal(data.zuzugsdatum, undefined, 'no moving date');
  assert.equal(data.bisherige_gemeinde, undefined);
  assert.equal(data.zugezogen, false);
});

test('a change link on the review page leads to the field and back', async (page) => {
  await open(page, '/musterstadt/');
  await fillValid(page);
  await shot(page, '09-review-before-change');
  await page.locator('.efa-summary-list__row', { hasText: 'Familienname' }).getByRole('link').click();
  assert.equal((await focused(page)).id, 'efa-familienname');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('Musterfrau');
  const submit = page.locator('.efa-form button[type=submit]');
  assert.equal(await submit.textContent(), 'Zurück zur Prüfung');
  await submit.click();
  await page.locator('.efa-review:not([hidden])').waitFor();
  assert.ok((await page.locator('.efa-review').textContent()).includes('Musterfrau'));
});

test('repeating groups: add and remove respect min and max', async (page) => {
  await open(page, '/musterstadt/');
  await page.locator('.efa-progress__link', { hasText: 'Ihre Hunde' }).click();
  assert.equal(await page.locator('.efa-repeat__remove').count(), 0, 'no removing below the minimum');
  await el(page, 'efa-hund-0-name').fill('Bello');
  await page.locator('.efa-repeat__add').click();
  assert.equal((await focused(page)).id, 'efa-hund-1-name', 'the new entry has the focus');
  await page.keyboard.type('Luna');
  assert.equal(await page.locator('.efa-repeat__remove').count(), 2);
  await shot(page, '10-two-dogs');
  await page.locator('.efa-repeat__remove', { hasText: 'Hund 1 entfernen' }).click();
  assert.equal(await el(page, 'efa-hund-0-name').inputValue(), 'Luna', 'the second dog moved up');
  assert.equal(await page.locator('.efa-repeat__item').count(), 1);
  for (let i = 1; i < 10; i += 1) await page.locator('.efa-repeat__add').click();
  assert.equal(await page.locator('.efa-repeat__item').count(), 10);
  assert.equal(await page.locator('.efa-repeat__add').count(), 0, 'no adding above the maximum');
  await page.locator('.efa-progress__link', { hasText: 'Steuer und Zahlung' }).click();
  assert.equal(await el(page, 'efa-anzahl_hunde').textContent(), '10');
});

test('attachments are checked before sending and travel as parts named by the field pointer', async (page) => {
  await open(page, '/musterstadt/');
  await fillValid(page);
  await page.locator('.efa-progress__link', { hasText: 'Ihre Hunde' }).click();
  await el(page, 'efa-hund-0-gefaehrlich').check();
  await el(page, 'efa-hund-0-nachweis').waitFor();
  await el(page, 'efa-haftpflicht').check();
  await el(page, 'efa-versicherung').fill('Hundeschutz AG, HS-1234');
  await el(page, 'efa-hund-0-nachweis').setInputFiles({ name: 'programm.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
  await el(page, 'efa-hund-0-nachweis-error').waitFor();
  assert.match(await el(page, 'efa-hund-0-nachweis-error').textContent(), /programm\.exe/);
  await shot(page, '11-attachment-wrong-type');
  await page.locator('.efa-link-button', { hasText: 'programm.exe' }).click();
  const pdf = Buffer.from('%PDF-1.4\n% efa test\n');
  await el(page, 'efa-hund-0-nachweis').setInputFiles({ name: 'erlaubnis.pdf', mimeType: 'application/pdf', buffer: pdf });
  assert.ok((await page.locator('.efa-file-list').textContent()).includes('erlaubnis.pdf'));
  assert.equal(await el(page, 'efa-hund-0-nachweis-error').isVisible(), false);
  await shot(page, '12-attachment');
  await page.locator('.efa-progress__link', { hasText: 'Angaben prüfen und absenden' }).click();
  await send(page);
  await page.locator('.efa-panel').waitFor();
  const sent = submissions()[0];
  assert.match(sent.type, /^multipart\/form-data/);
  assert.deepEqual(sent.parts.map((p) => p.name), ['submission', '/hund/0/nachweis']);
  assert.equal(sent.parts[1].filename, 'erlaubnis.pdf');
  assert.equal(sent.parts[1].data.toString(), pdf.toString());
  assert.deepEqual(sent.json.data.hund[0].nachweis, [{ name: 'erlaubnis.pdf', type: 'application/pdf', size: pdf.length }]);
});

test('a 422 answer is shown with the same messages on the same fields', async (page) => {
  await open(page, '/musterstadt/');
  await fillValid(page);
  server.state.mode = 'reject';
  const message = 'Zu dieser Anschrift ist kein Haushalt gemeldet.';
  server.state.rejectWith = [{ code: 'rule', path: '/anschrift/strasse', message }];
  await page.evaluate(() => document.addEventListener('efa-send-failed', (e) => { window.failure = e.detail; }));
  await send(page);
  await page.locator('.efa-error-summary:not([hidden])').waitFor();
  const failure = await page.evaluate(() => window.failure);
  assert.equal(failure.status, 422, 'the host page hears of the rejection');
  assert.deepEqual(failure.issues.map((i) => i.path), ['/anschrift/strasse']);
  assert.ok((await page.locator('.efa-error-summary').textContent()).includes(message));
  await shot(page, '13-rejected');
  await page.locator('.efa-error-summary a', { hasText: message }).click();
  assert.equal((await focused(page)).id, 'efa-anschrift-strasse');
  assert.ok((await el(page, 'efa-anschrift-strasse-error').textContent()).includes(message));
});

test('a network failure keeps everything and offers to retry with the same idempotency key', async (page) => {
  await open(page, '/musterstadt/');
  await fillValid(page);
  server.state.mode = 'fail';
  await page.evaluate(() => document.addEventListener('efa-send-failed', (e) => { window.failure = e.detail; }));
  await send(page);
  await page.locator('.efa-notice--failure').waitFor();
  assert.deepEqual(await page.evaluate(() => window.failure), { status: null, issues: [] }, 'the host page hears of the failure');
  assert.equal((await focused(page)).text, 'Erneut senden');
  await axe(page, 'send failure');
  await shot(page, '14-network-failure');
  server.state.mode = 'accept';
  await page.keyboard.press('Enter');
  await page.locator('.efa-panel').waitFor();
  // Chromium itself may repeat a POST whose connection dropped: every
  // attempt carries the one key, so the service stores the data once.
  const keys = new Set(submissions().map((s) => s.headers['idempotency-key']));
  assert.ok(submissions().length >= 2);
  assert.equal(keys.size, 1, 'one idempotency key for all attempts');
});

test('a draft saved in the browser survives a reload; drafts export and import as files', async (page) => {
  await open(page, '/musterstadt/');
  await el(page, 'efa-vorname').fill('Erika');
  await el(page, 'efa-familienname').fill('Mustermann');
  await page.locator('button', { hasText: 'Entwurf in diesem Browser speichern' }).click();
  await page.locator('.efa-notice--success').waitFor();
  await page.reload();
  await page.locator('.efa-step:not([hidden])').first().waitFor();
  assert.equal(await el(page, 'efa-vorname').inputValue(), 'Erika');
  assert.equal(await el(page, 'efa-familienname').inputValue(), 'Mustermann');
  assert.ok((await page.locator('.efa-notices').textContent()).includes('Ihr gespeicherter Entwurf wurde geladen.'));
  await shot(page, '15-draft-restored');

  const download = page.waitForEvent('download');
  await page.locator('button', { hasText: 'Entwurf als Datei herunterladen' }).click();
  const exported = JSON.parse(await (await download).createReadStream().then(async (s) => {
    const chunks = []; for await (const c of s) chunks.push(c); return Buffer.concat(chunks).toString();
  }));
  assert.deepEqual(exported.form, { id: 'hundesteuer-anmeldung', version: '1.0.0' });
  assert.equal(exported.data.vorname, 'Erika');

  // A draft of an older version: what still fits carries over.
  const older = { form: { id: 'hundesteuer-anmeldung', version: '0.9.0' }, data: { vorname: 'Max', entfallen: 'x', email: 42 } };
  await page.locator('[data-action=import-file]').setInputFiles({ name: 'entwurf.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(older)) });
  await page.locator('.efa-notices', { hasText: 'Das Formular wurde inzwischen geändert' }).waitFor();
  assert.equal(await el(page, 'efa-vorname').inputValue(), 'Max');
  assert.equal(await el(page, 'efa-email').inputValue(), '');
});

test('two tenants render the same form with their own branding and the same behaviour', async (page) => {
  const tenants = [
    { path: '/musterstadt/', primary: 'rgb(0, 90, 156)', onPrimary: 'rgb(255, 255, 255)', background: 'rgb(255, 255, 255)', radius: '4px', font: 'Fira Sans',
      logo: '/assets/musterstadt-logo.svg', tax: '108,00 €', privacy: 'https://www.musterstadt.example/datenschutz' },
    { path: '/beispielhausen/', primary: 'rgb(30, 86, 49)', onPrimary: 'rgb(255, 248, 231)', background: 'rgb(251, 250, 245)', radius: '0px', font: 'Georgia',
      logo: '/assets/beispielhausen-logo.svg', tax: '75,00 €', privacy: 'https://beispielhausen.example/rathaus/datenschutz' },
  ];
  const seen = [];
  for (const tenant of tenants) {
    await open(page, tenant.path);
    const style = await page.locator('.efa-form button[type=submit]').evaluate((b) => {
      const s = getComputedStyle(b);
      const root = getComputedStyle(b.closest('.efa'));
      return { background: s.backgroundColor, color: s.color, radius: s.borderTopLeftRadius, font: s.fontFamily, page: root.backgroundColor };
    });
    assert.equal(style.background, tenant.primary, `${tenant.path} primary colour`);
    assert.equal(style.color, tenant.onPrimary, `${tenant.path} text on primary`);
    assert.equal(style.radius, tenant.radius, `${tenant.path} corner radius`);
    assert.equal(style.page, tenant.background, `${tenant.path} background`);
    assert.ok(style.font.includes(tenant.font), `${tenant.path} font ${style.font}`);
    assert.equal(await page.locator('.efa-header__logo').getAttribute('src'), tenant.logo);
    assert.equal(await page.locator('.efa-footer a', { hasText: 'Datenschutz' }).getAttribute('href'), tenant.privacy);
    await shot(page, `16-tenant-${tenant.path.replaceAll('/', '')}`);
    await page.locator('.efa-form button[type=submit]').click();
    await page.locator('.efa-error-summary:not([hidden])').waitFor();
    const messages = await page.locator('.efa-error-summary a').allTextContents();
    const labels = await page.locator('.efa-label, .efa-fieldset__legend').allTextContents();
    await page.locator('.efa-progress__link', { hasText: 'Steuer und Zahlung' }).click();
    assert.equal(await el(page, 'efa-steuer').textContent(), tenant.tax, 'the tenant\'s tax rate');
    seen.push({ messages, labels });
  }
  assert.deepEqual(seen[0], seen[1], 'same fields, same messages');
});

test('a definition with markup in its texts renders it as text and runs nothing', async (page) => {
  await page.goto(`${server.url}/fixtures/hostile.html`);
  await page.locator('.efa-step:not([hidden])').waitFor();
  await el(page, 'efa-name').fill('abcdef');
  await page.keyboard.press('Tab');
  await el(page, 'efa-name-error').waitFor();
  await shot(page, '17-hostile');
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
  const shadow = await page.evaluate(() => {
    const root = document.querySelector('efa-form').shadowRoot;
    return {
      elements: [...root.querySelectorAll('script, iframe, svg, b, img:not(.efa-header__logo)')].length,
      handlers: [...root.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
      text: root.textContent,
    };
  });
  assert.equal(shadow.elements, 0, 'no element from the definition');
  assert.equal(shadow.handlers, 0, 'no event handler attribute');
  for (const text of ["<script>window.__pwned = 'label'</script>Name", '<img src=x onerror="window.__pwned=\'message\'">zu lang', "<script>window.__pwned = 'title'</script>Titel"]) {
    assert.ok(shadow.text.includes(text), `shown as text: ${text}`);
  }
});

/** axe on every step of the form shown, as it opens and with the errors
 * "Weiter" shows on it (the progress list leads to each step). */
async function axeEveryStep(page, form) {
  const steps = await page.locator('.efa-progress__link[data-action="goto-step"]').count();
  assert.ok(steps > 0, `${form}: steps in the progress list`);
  for (let step = 0; step < steps; step += 1) {
    await page.locator(`.efa-progress__link[data-step="${step}"]`).click();
    await page.locator('section:not([hidden]) .efa-caption', { hasText: `Schritt ${step + 1} von ${steps}` }).waitFor();
    await axe(page, `${form}, step ${step + 1}`);
    await page.locator('.efa-form button[type=submit]').click();
    await shot(page, `23-${form}-step-${step + 1}-continued`);
    await axe(page, `${form}, step ${step + 1} after "Weiter"`);
  }
}

/** Opens `form` alone on an empty page for the tenant musterstadt. */
async function openAlone(page, form) {
  await page.goto(`${server.url}/fixtures/markup.html`);
  await page.evaluate((form) => {
    const element = document.createElement('efa-form');
    const attributes = { form: `/compiled/musterstadt/${form}.efa`, lang: 'de', today: '2026-11-23',
      action: `/api/musterstadt/forms/${form}/submissions` };
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    document.querySelector('main').append(element);
  }, form);
  await page.locator('.efa-step:not([hidden])').first().waitFor();
}

test('rendered markup of every form, the error state and the review page matches the reviewed snapshots; axe finds nothing on any step of any form', async (page) => {
  const forms = (await readdir(new URL('../../forms/', import.meta.url)))
    .filter((file) => file.endsWith('.json') && !file.endsWith('.schema.json'))
    .map((file) => file.slice(0, -'.json'.length));
  assert.ok(forms.length >= 4, `forms found: ${forms}`);
  for (const form of forms) {
    await openAlone(page, form);
    await expectSnapshot(form, await renderedMarkup(page, server.url));
    await axeEveryStep(page, form);
  }
  const form = 'hundesteuer-anmeldung';
  await openAlone(page, form);
  await page.locator('.efa-form button[type=submit]').click();
  await page.locator('.efa-error-summary').waitFor();
  await expectSnapshot(`${form}-errors`, await renderedMarkup(page, server.url));
  await fillValid(page);
  await expectSnapshot(`${form}-review`, await renderedMarkup(page, server.url));
});

test('the widget works under a strict Content-Security-Policy without a violation', async (page) => {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`), true);
  });
  const response = await page.goto(`${server.url}/csp/musterstadt/`);
  assert.equal(response.headers()['content-security-policy'], STRICT_CSP);
  await page.locator('.efa-step:not([hidden])').first().waitFor();
  const background = await page.locator('.efa-form button[type=submit]').evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.equal(background, 'rgb(0, 90, 156)', 'tenant tokens apply under CSP');
  await page.locator('.efa-form button[type=submit]').click();
  await page.locator('.efa-error-summary:not([hidden])').waitFor();
  await page.locator('.efa-language__link').click();
  await page.getByRole('heading', { name: 'About the dog keeper' }).waitFor();
  await fillValidEnglish(page);
  await shot(page, '18-strict-csp');
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
});

async function fillValidEnglish(page) {
  await el(page, 'efa-vorname').fill('Erika');
  await el(page, 'efa-familienname').fill('Mustermann');
  await el(page, 'efa-email').fill('erika');
  await page.keyboard.press('Tab');
  await el(page, 'efa-email-error').waitFor();
  assert.match(await el(page, 'efa-email-error').textContent(), /Enter an email address/);
}

test('language switch: the whole form and its messages in English', async (page) => {
  await open(page, '/beispielhausen/');
  await page.locator('.efa-language__link', { hasText: 'English' }).click();
  await page.getByRole('heading', { name: 'About the dog keeper' }).waitFor();
  assert.equal(await page.locator('.efa-form button[type=submit]').textContent(), 'Continue');
  await page.locator('.efa-form button[type=submit]').click();
  await page.locator('.efa-error-summary:not([hidden])').waitFor();
  assert.ok((await page.locator('.efa-error-summary').textContent()).includes('There is a problem'));
  assert.match(await page.title(), /^Error: /);
  await axe(page, 'English error state');
  await shot(page, '19-english');
});

test('an invalid tenant (low contrast, unsafe link) shows a clear error state', async (page) => {
  await page.goto(`${server.url}/fixtures/broken-tenant.html`);
  await page.locator('.efa-unavailable').waitFor();
  const text = await page.locator('.efa-unavailable').textContent();
  assert.ok(text.includes('Das Formular kann gerade nicht angezeigt werden'));
  assert.ok(text.includes('contrast'), 'names the contrast problem');
  assert.equal(await page.locator('.efa-form').count(), 0, 'no form under a broken frame');
  await shot(page, '20-invalid-tenant');
});

test('a choice offers only the options its filter allows (zones per municipality)', async (page) => {
  // The zone question is on a later step: read which radios are not hidden.
  const offered = async () =>
    page.locator('efa-form input[type=radio][name="/zone"]').evaluateAll((inputs) => inputs.filter((i) => !i.parentElement.hidden).map((i) => i.value));
  await page.goto(`${server.url}/fixtures/parking-musterstadt.html`);
  await page.locator('efa-form input[name="/zone"]').first().waitFor({ state: 'attached' });
  assert.deepEqual(await offered(), ['A', 'B', 'C', 'D'], 'musterstadt has four zones');
  await page.goto(`${server.url}/fixtures/parking-beispielhausen.html`);
  await page.locator('efa-form input[name="/zone"]').first().waitFor({ state: 'attached' });
  assert.deepEqual(await offered(), ['A', 'B', 'C', 'D', 'E', 'F'], 'beispielhausen has six');
  await shot(page, '21-choice-filter');
});

test('against efa serve: the demo portal sends a complete application that is stored and readable by the operator', async (page) => {
  const service = await startService();
  try {
    await page.goto(`${service.url}/portal/musterstadt?form=hundesteuer-anmeldung`);
    await page.locator('.efa-step:not([hidden])').first().waitFor();
    await fillValid(page, { lastschrift: true });
    await send(page);
    await page.locator('.efa-panel').waitFor();
    const receipt = await page.locator('.efa-panel').textContent();
    await shot(page, '22-efa-serve-receipt');
    const headers = { Authorization: 'Bearer e2e-secret' };
    const list = await (await fetch(`${service.url}/api/musterstadt/submissions`, { headers })).json();
    assert.equal(list.items.length, 1, 'exactly one stored submission');
    const { id } = list.items[0];
    assert.ok(receipt.includes(id), `the citizen's receipt names the stored id ${id}`);
    const stored = await (await fetch(`${service.url}/api/musterstadt/submissions/${id}`, { headers })).json();
    assert.equal(stored.submission.data.vorname, 'Erika');
    assert.equal(stored.submission.data.sepa.iban, 'DE89370400440532013000', 'stored canonically, without spaces');
    assert.equal(stored.submission.data.steuer, '108.00', 'the tax as the server recomputed it');
  } finally {
    service.stop();
  }
});

// ----------------------------------------------------------------- runner

let server;
const filter = process.argv[2];
await mkdir(ARTIFACTS, { recursive: true });
server = await start();
const browser = await launch();
let passed = 0;
let failed = 0;
for (const { name, fn } of tests) {
  if (filter && !name.includes(filter)) continue;
  server.state.mode = 'accept';
  server.state.rejectWith = null;
  server.state.submissions = [];
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.setDefaultTimeout(5000);
  const started = Date.now();
  try {
    await fn(page);
    assert.deepEqual(errors, [], 'uncaught errors in the page');
    passed += 1;
    console.log(`ok    ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL  ${name}\n      ${String(error.stack ?? error).split('\n').slice(0, 6).join('\n      ')}`);
    await shot(page, `failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => {});
    await writeFile(`${ARTIFACTS}failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.txt`, String(error.stack ?? error)).catch(() => {});
  }
  await context.close();
}
await browser.close();
await server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
