// The pages people see, in a real Chromium: the maintenance page (full
// and read-only) and the toggle page in each state (off, on, scheduled),
// each at 390 and 1280 px wide, in dark mode, and at 320 px. For each:
// axe-core finds no accessibility violation, the HTML is under 16 KiB,
// nothing is wider than the screen, the browser asks no other origin for
// anything, and a screenshot is saved for people to look at.
//
//   node pages.mjs BASE_URL USER PASSWORD SCREENSHOT_DIR
//
// The site must have its toggle at /maintenance-mode/ (USER may use it),
// MaintenanceRefresh 60, and MaintenanceRefresh 2 under /quick/. Exits 0
// when every check held, 1 with the failed ones on stderr.
//
// axe's meta-refresh rule fails any page that reloads itself, as
// MaintenanceRefresh asks: a time limit, unless the reader can turn it
// off (WCAG 2.2.1). The page has a button that does; axe cannot see it,
// so on such a page the rule is replaced by a check that the button is
// there and stops the reload.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [base, user, password, shots] = process.argv.slice(2);
if (!base || !user || !password || !shots) {
  console.error('usage: node pages.mjs BASE_URL USER PASSWORD SCREENSHOT_DIR');
  process.exit(2);
}
const toggle = `${base}/maintenance-mode`;
const origin = new URL(base).origin;
const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const MAX_HTML = 16 * 1024;

let failures = 0;
function check(cond, what) {
  if (cond) {
    console.log(`ok - ${what}`);
  } else {
    console.error(`not ok - ${what}`);
    failures++;
  }
}

// Each page is looked at as these readers see it: a phone, a desktop, a
// phone in dark mode, the narrowest phone. Paris, so that the local time
// differs from UTC and the script's part shows.
const views = [
  { suffix: '390', viewport: { width: 390, height: 844 }, colorScheme: 'light' },
  { suffix: '1280', viewport: { width: 1280, height: 800 }, colorScheme: 'light' },
  { suffix: '390-dark', viewport: { width: 390, height: 844 }, colorScheme: 'dark' },
  { suffix: '320', viewport: { width: 320, height: 640 }, colorScheme: 'light' },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync'],
});
const admin = await browser.newContext({ httpCredentials: { username: user, password } });

// Store a state through the toggle, as its JSON client.
async function post(action, form) {
  const res = await admin.request.post(`${toggle}/${action}`,
                                       { form, headers: { Accept: 'application/json' } });
  if (res.status() !== 200) throw new Error(`POST ${action}: ${res.status()} ${await res.text()}`);
}

// Wait until the site answers want: it sees a change within
// MaintenanceStateTTL.
async function siteAnswers(want) {
  for (let i = 0; i < 50; i++) {
    if ((await fetch(`${base}/`)).status === want) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function iso(date) {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

// Open the page open(page) leads to in each view and check it; name
// names its screenshots. expect(page) checks what it says.
async function look(name, open, status, expect) {
  for (const view of views) {
    const context = await browser.newContext({
      viewport: view.viewport, colorScheme: view.colorScheme,
      timezoneId: 'Europe/Paris', locale: 'en-GB',
      httpCredentials: { username: user, password },
    });
    const page = await context.newPage();
    const foreign = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.protocol !== 'data:' && url.origin !== origin) foreign.push(req.url());
    });
    const res = await open(page);
    const html = await res.body();
    const what = `${name} at ${view.suffix}`;

    check(res.status() === status, `${what}: status ${res.status()}`);
    check(html.length < MAX_HTML, `${what}: ${html.length} bytes of HTML`);
    await page.waitForLoadState('load');
    await expect(page, what);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= view.viewport.width, `${what}: ${wide} px wide, no sideways scrolling`);
    const stoppable = await page.getByRole('button', { name: 'Stop reloading' }).count() === 1;
    await page.evaluate(axe);
    const { violations } = await page.evaluate((options) => window.axe.run(document, options),
                                               { rules: { 'meta-refresh': { enabled: !stoppable } } });
    check(violations.length === 0, `${what}: no accessibility violation${
      violations.map((v) => `\n    ${v.id} (${v.impact}): ${v.help}: ${
        v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('')}`);
    check(foreign.length === 0, `${what}: nothing asked of another origin ${foreign.join(' ')}`);
    await page.screenshot({ path: `${shots}/${name}-${view.suffix}.png`, fullPage: true });
    await context.close();
  }
}

async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

// How many times the page at url loads in seconds, the reader pressing
// "Stop reloading" first if stop.
async function loads(url, seconds, stop) {
  const page = await browser.newPage();
  let n = 0;
  page.on('load', () => n++);
  await page.goto(url);
  if (stop) await page.getByRole('button', { name: 'Stop reloading' }).click();
  await page.waitForTimeout(seconds * 1000);
  const said = await page.locator('.refresh').innerText();
  await page.close();
  return { n, said };
}

try {
  mkdirSync(shots, { recursive: true });
  const visitor = (page) => page.goto(`${base}/`);
  // In read-only mode a GET is served: the page comes with a change.
  const change = async (page) => {
    await page.goto(`${base}/`);
    const [res] = await Promise.all([
      page.waitForNavigation(),
      page.evaluate(() => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/';
        document.body.append(form);
        form.submit();
      }),
    ]);
    return res;
  };

  await post('on', { message: 'We are moving to a faster database. Thank you for your patience!',
                     for: '45m' });
  check(await siteAnswers(503), 'the site is in maintenance');
  await look('maintenance', visitor, 503, async (page, what) => {
    check(await text(page, 'h1') === 'Down for maintenance', `${what}: the title`);
    check((await text(page, '.message')).startsWith('We are moving'), `${what}: the message`);
    const when = await text(page, '.when');
    check(/Expected back in about 4[45] minutes/.test(when), `${what}: when, in words: ${when}`);
    check(/UTC/.test(when) && /your time: .*CET/.test(when),
          `${what}: when, in UTC and in the reader's time`);
    const refresh = await text(page, '.refresh');
    check(/reloads itself in \d+ seconds/.test(refresh), `${what}: the countdown: ${refresh}`);
  });
  const reloading = await loads(`${base}/quick/`, 5, false);
  check(reloading.n >= 2, `a page with MaintenanceRefresh 2 reloads itself (${reloading.n} loads)`);
  const stopped = await loads(`${base}/quick/`, 5, true);
  check(stopped.n === 1 && /no longer reloads/.test(stopped.said),
        `"Stop reloading" stops it (${stopped.n} load): ${stopped.said}`);

  await post('on', { message: 'Orders are paused while we upgrade; you can still browse.',
                     for: '2h', mode: 'read-only' });
  check(await siteAnswers(200), 'a read-only site serves a GET');
  await look('read-only', change, 503, async (page, what) => {
    check(await text(page, 'h1') === 'Read-only for maintenance', `${what}: the title`);
    check(/possible again in about 2 hours/.test(await text(page, '.when')), `${what}: when`);
  });

  const status = (page) => page.goto(`${toggle}/`);
  const banner = (words) => async (page, what) => {
    const said = await text(page, '.banner h2');
    check(said.startsWith(words), `${what}: the banner says ${said}`);
  };
  await look('toggle-on-read-only', status, 200, banner('Read-only'));
  await post('on', { message: 'Upgrading the database', for: '45m' });
  await look('toggle-on', status, 200, banner('In maintenance'));
  await post('on', { message: 'Upgrading the database',
                     start: iso(new Date(Date.now() + 3 * 3600e3)), for: '1h' });
  await look('toggle-scheduled', status, 200, banner('Scheduled from'));
  await post('off', {});
  await look('toggle-off', status, 200, banner('Off (site is up)'));
  await look('preview', (page) => page.goto(`${toggle}/preview`), 200, async (page, what) => {
    check(await text(page, 'h1') === 'Down for maintenance', `${what}: the page visitors would get`);
  });
} catch (e) {
  console.error(`not ok - ${e.stack}`);
  failures++;
} finally {
  await browser.close();
}
process.exitCode = failures ? 1 : 0;
