// Bypass links in a real Chromium: while the site is in maintenance, a
// link made by maintenancectl, then one made on the status page, each let
// a browser of their own through, and a browser without one still gets the
// maintenance page.
//
//   node bypass.mjs BASE_URL USER PASSWORD LINK_PATH
//
// Exits 0 when every step held, 1 with the failed step on stderr.
import { chromium } from 'playwright-core';

const [base, user, password, ctlLink] = process.argv.slice(2);
if (!base || !user || !password || !ctlLink) {
  console.error('usage: node bypass.mjs BASE_URL USER PASSWORD LINK_PATH');
  process.exit(2);
}

function check(cond, what) {
  if (!cond) throw new Error(what);
  console.log(`ok - ${what}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync'],
});

// A fresh browser context (its own cookies) opening url: the last answer.
async function openIn(context, url) {
  const page = await context.newPage();
  const res = await page.goto(url);
  return { page, status: res.status() };
}

try {
  const visitor = await browser.newContext();
  check((await openIn(visitor, `${base}/`)).status === 503,
        'a visitor gets the maintenance page');

  const first = await browser.newContext();
  const opened = await openIn(first, `${base}${ctlLink}`);
  check(opened.status === 200, "maintenancectl's link leads to the site");
  check(opened.page.url() === `${base}/`, 'and lands on the front page');
  check((await opened.page.content()).includes('front page'), 'which is the real one');
  const cookies = await first.cookies();
  const c = cookies.find((k) => k.name === 'maintenance_bypass');
  check(c && c.httpOnly && c.sameSite === 'Lax', 'the cookie is HttpOnly and SameSite=Lax');
  check((await openIn(first, `${base}/`)).status === 200, 'that browser stays through');

  const admin = await browser.newContext({ httpCredentials: { username: user, password } });
  const status = await admin.newPage();
  await status.goto(`${base}/maintenance-mode/`);
  const form = status.getByRole('group', { name: 'Bypass link' });
  await form.getByLabel('For whom').fill('client review');
  await form.getByLabel('Valid for').fill('2h');
  await Promise.all([status.waitForURL(`${base}/maintenance-mode/bypass`),
                     form.getByRole('button', { name: 'Make a link' }).click()]);
  const link = await status.locator('input[aria-label="Bypass link"]').inputValue();
  check(link.startsWith(`${base}/.maintenance/bypass/`), 'the status page shows a whole link');

  const second = await browser.newContext();
  check((await openIn(second, link)).status === 200, "the status page's link leads to the site");

  check((await openIn(visitor, `${base}/`)).status === 503,
        'the visitor still gets the maintenance page');
} catch (e) {
  console.error(`not ok - ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
