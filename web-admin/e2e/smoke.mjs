// Browser smoke test: the admin UI served by a running Roster loads in real Chromium: /admin/
// lands on the operator sign-in page, and the public status page shows the service's readiness
// from the API. Usage: node e2e/smoke.mjs http://127.0.0.1:PORT
// Screenshots go to e2e/screenshots/ (kept as CI artifacts, not committed).
import { check, finish, launch, overflows, shot, watch } from './lib.mjs';

const base = process.argv[2];
if (!base) {
  console.error('usage: node e2e/smoke.mjs <base url>');
  process.exit(2);
}

const browser = await launch();
try {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['narrow', { width: 375, height: 740 }]]) {
    const page = await browser.newPage({ viewport });
    const problems = watch(page);

    const res = await page.goto(`${base}/admin/`, { waitUntil: 'networkidle' });
    check(res?.status() === 200, `${name}: /admin/ answers 200`);
    check(/default-src 'self'/.test(res?.headers()['content-security-policy'] ?? ''), `${name}: CSP header set`);
    await page.getByRole('heading', { name: 'Sign in to the operator console' }).waitFor({ timeout: 10_000 });
    check(new URL(page.url()).pathname === '/admin/login', `${name}: an anonymous visitor lands on /admin/login`);
    check(await page.getByLabel('Email').isVisible(), `${name}: the login form has a labelled email field`);
    await shot(page, `login-${name}`);
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
    await shot(page, `status-${name}`);

    check(problems.length === 0, `${name}: no console errors or failed requests ${problems.join(' | ')}`);
    await page.close();
  }
} finally {
  await browser.close();
}
finish('browser smoke');
