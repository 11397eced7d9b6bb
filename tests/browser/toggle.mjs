// Logs in to the toggle page in a real Chromium, turns maintenance on with a
// click, sees the site answer 503, and turns it off again.
//
//   node toggle.mjs BASE_URL USER PASSWORD
//
// Exits 0 when every step held, 1 with the failed step on stderr.
import { chromium } from 'playwright-core';

const [base, user, password] = process.argv.slice(2);
if (!base || !user || !password) {
  console.error('usage: node toggle.mjs BASE_URL USER PASSWORD');
  process.exit(2);
}

function check(cond, what) {
  if (!cond) throw new Error(what);
  console.log(`ok - ${what}`);
}

// The site's front page, fetched outside the browser's login.
async function siteStatus() {
  const res = await fetch(`${base}/`);
  return res.status;
}

async function waitForStatus(want) {
  // The page is decided from a state read at most MaintenanceStateTTL ago.
  for (let i = 0; i < 50; i++) {
    if (await siteStatus() === want) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync'],
});
try {
  const context = await browser.newContext({ httpCredentials: { username: user, password } });
  const page = await context.newPage();

  check(await waitForStatus(200), 'the site is up before the test');
  await page.goto(`${base}/maintenance-mode/`);
  check(await page.locator('h1').innerText() === 'Maintenance mode', 'the status page shows');
  const banner = page.locator('.banner h2');
  check(await banner.innerText() === 'Off (site is up)', 'it says maintenance is off');

  await page.getByLabel('Message for visitors').fill('Browser <test>');
  await page.getByLabel(/^For \(/).fill('30m');
  await Promise.all([page.waitForURL(`${base}/maintenance-mode/`),
                     page.getByRole('button', { name: 'Turn on', exact: true }).click()]);
  check(await banner.innerText() === 'In maintenance', 'after the click it says on');
  check((await page.locator('table').innerText()).includes('Browser <test>'),
        'the message is shown as text');
  check(await page.getByLabel('Message for visitors').inputValue() === 'Browser <test>',
        'and filled in to change it');
  check(await waitForStatus(503), 'the site answers 503');

  const visitor = await browser.newPage();
  await visitor.goto(`${base}/`);
  check((await visitor.content()).includes('Browser &lt;test&gt;'), 'a visitor sees the message');

  await Promise.all([page.waitForURL(`${base}/maintenance-mode/`),
                     page.getByRole('button', { name: 'Turn off', exact: true }).click()]);
  check(await banner.innerText() === 'Off (site is up)', 'after the second click it says off');
  check(await waitForStatus(200), 'the site is back');
} catch (e) {
  console.error(`not ok - ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
