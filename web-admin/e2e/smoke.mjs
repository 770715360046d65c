// Browser smoke test: the admin UI served by a running Roster loads in real Chromium: /admin/
// lands on the operator sign-in page, and the public status page shows the service's readiness
// from the API. Usage: node e2e/smoke.mjs http://127.0.0.1:PORT
// Screenshots go to e2e/screenshots/ (kept as CI artifacts, not committed).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const base = process.argv[2];
if (!base) {
  console.error('usage: node e2e/smoke.mjs <base url>');
  process.exit(2);
}
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
let failures = 0;
const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'FAILED'} - ${what}`);
  if (!ok) failures += 1;
};
try {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['narrow', { width: 375, height: 740 }]]) {
    const page = await browser.newPage({ viewport });
    const errors = [];
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('pageerror', (err) => errors.push(err.message));
    const failedRequests = [];
    page.on('requestfailed', (req) => failedRequests.push(req.url()));

    const res = await page.goto(`${base}/admin/`, { waitUntil: 'networkidle' });
    check(res?.status() === 200, `${name}: /admin/ answers 200`);
    check(/default-src 'self'/.test(res?.headers()['content-security-policy'] ?? ''), `${name}: CSP header set`);
    await page.getByRole('heading', { name: 'Sign in to the operator console' }).waitFor({ timeout: 10_000 });
    check(new URL(page.url()).pathname === '/admin/login', `${name}: an anonymous visitor lands on /admin/login`);
    check(await page.getByLabel('Email').isVisible(), `${name}: the login form has a labelled email field`);
    await page.screenshot({ path: `${shots}login-${name}.png`, fullPage: true });
    check(!(await overflows(page)), `${name}: login has no horizontal overflow`);

    const status = await page.goto(`${base}/admin/status`, { waitUntil: 'networkidle' });
    check(status?.status() === 200, `${name}: /admin/status answers 200 (index.html fallback)`);
    await page.getByText('database', { exact: false }).first().waitFor({ timeout: 10_000 });
    const text = await page.locator('body').innerText();
    for (const backend of ['sqlite', 'in-process', 'memory']) {
      check(text.toLowerCase().includes(backend), `${name}: readiness shows the ${backend} backend`);
    }
    check(!/checking…/i.test(text), `${name}: loading state resolved`);
    check(!(await overflows(page)), `${name}: status has no horizontal overflow`);
    await page.screenshot({ path: `${shots}status-${name}.png`, fullPage: true });

    check(errors.length === 0, `${name}: no console errors ${errors.join(' | ')}`);
    check(failedRequests.length === 0, `${name}: no failed requests ${failedRequests.join(' ')}`);
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`${failures === 0 ? 'browser smoke passed' : `${failures} browser check(s) failed`}`);
process.exit(failures === 0 ? 0 : 1);
