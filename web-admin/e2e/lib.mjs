// Shared by the browser tests: Debian's Chromium through playwright-core, a pass/fail tally,
// console-error and failed-request watching, overflow checks and screenshots.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

let failures = 0;

export function check(ok, what) {
  console.log(`${ok ? 'ok' : 'FAILED'} - ${what}`);
  if (!ok) failures += 1;
  return ok;
}

/** Ends the run: prints the tally and sets the exit code. */
export function finish(name) {
  console.log(failures === 0 ? `${name} passed` : `${failures} ${name} check(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
}

/** Collects console errors, page errors and failed requests of a page. */
export function watch(page) {
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    // Requests a navigation or an unmounted component aborted on purpose are not failures.
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()}`);
  });
  return problems;
}

export const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

export async function shot(page, name) {
  await page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
}
