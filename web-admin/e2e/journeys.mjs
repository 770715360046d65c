// End-to-end journeys in real Chromium against a running Roster (`roster run`), as new users
// would walk them:
//   operator: signs in (keyboard only), creates a tenant, a webhook endpoint and a setup link;
//   IT admin: opens the link, picks Okta, copies the SCIM base URL and token; an "IdP" request
//     made with that token turns the live check green and the user appears in the portal;
//   operator: sees the delivery (and the chart), opens it and replays it.
// A local receiver (this process) takes the webhooks. Roster must allow webhooks to 127.0.0.1
// (ROSTER_WEBHOOK__ALLOWED_NETWORKS) and have an operator account:
//   E2E_OPERATOR_EMAIL=… E2E_OPERATOR_PASSWORD=… node e2e/journeys.mjs http://127.0.0.1:PORT
// With E2E_SECRETS_FILE set, every secret the journeys saw (password, setup-link token, SCIM
// token, signing secret, API key, session tokens) is written there, one per line, so the caller
// can check that none of them reached Roster's logs.
// Screenshots go to e2e/screenshots/journey-*.png (CI artifacts, not committed).
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { check, finish, launch, overflows, shot, shots, watch } from './lib.mjs';

const base = process.argv[2];
const email = process.env.E2E_OPERATOR_EMAIL;
const password = process.env.E2E_OPERATOR_PASSWORD;
if (!base || !email || !password) {
  console.error('usage: E2E_OPERATOR_EMAIL=… E2E_OPERATOR_PASSWORD=… node e2e/journeys.mjs <base url>');
  process.exit(2);
}
const DESKTOP = { width: 1280, height: 800 };
const NARROW = { width: 375, height: 740 };

// The B2B app's webhook receiver.
const received = [];
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    received.push({ headers: req.headers, body: JSON.parse(body) });
    res.writeHead(204).end();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/webhooks/roster`;

/** Whether `locator` shows within `timeoutMs`. */
const appears = (locator, timeoutMs = 2_000) => locator.waitFor({ timeout: timeoutMs }).then(() => true, () => false);

async function until(what, probe, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const browser = await launch();
const problems = [];
const secrets = new Set([password]);
const refreshToken = (page) => page.evaluate(() => sessionStorage.getItem('roster.refresh_token'));
try {
  // ── Operator: sign in with the keyboard only ───────────────────────────────────────────
  const operatorContext = await browser.newContext({ viewport: DESKTOP });
  const op = await operatorContext.newPage();
  problems.push({ page: 'operator', list: watch(op) });
  // Session access tokens, as the UI sends them.
  operatorContext.on('request', (request) => {
    const auth = request.headers().authorization;
    if (auth?.startsWith('Bearer ')) secrets.add(auth.slice('Bearer '.length));
  });
  await op.goto(`${base}/admin/`);
  await op.getByLabel('Email', { exact: true }).waitFor();
  await op.getByLabel('Email', { exact: true }).focus();
  await op.keyboard.type(email);
  await op.keyboard.press('Tab');
  await op.keyboard.type(password);
  await op.keyboard.press('Enter');
  await op.waitForURL('**/admin/tenants');
  check(true, 'operator signs in with the keyboard and lands on Tenants');

  // Tenant
  await op.getByRole('button', { name: 'Create tenant' }).first().click();
  const dialog = op.getByRole('dialog', { name: 'Create a tenant' });
  await dialog.getByLabel('Name', { exact: true }).fill('Acme Corp');
  await dialog.getByLabel('External id (optional)', { exact: true }).fill(`org_acme_${Date.now()}`);
  await dialog.getByRole('button', { name: 'Create tenant' }).click();
  await op.waitForURL(/\/admin\/tenants\/[0-9a-f-]{36}$/);
  await op.getByRole('heading', { name: 'Acme Corp' }).waitFor();
  const tenantId = op.url().split('/').pop();
  check(true, 'the tenant is created and opened');

  // Setup link
  await op.getByRole('button', { name: 'Generate setup link' }).click();
  const linkField = op.getByLabel('Setup link', { exact: true });
  await linkField.waitFor();
  const setupLink = await linkField.inputValue();
  secrets.add(setupLink.split('/').pop());
  check(/\/admin\/setup\/\S+$/.test(setupLink), `a setup link is generated (${setupLink.replace(/setup\/.*/, 'setup/…')})`);
  await shot(op, 'journey-01-operator-tenant-setup-link');

  // Webhook endpoint
  await op.getByRole('link', { name: 'Webhook endpoints' }).click();
  await op.getByRole('link', { name: 'Add endpoint' }).first().click();
  await op.getByLabel('URL', { exact: true }).fill(receiverUrl);
  await op.getByLabel('Description', { exact: true }).fill('Acme app');
  // Every type is ticked by default: keep only the user events.
  for (const family of await op.getByRole('checkbox', { name: /^All \w+ events$/ }).all()) {
    if ((await family.getAttribute('id')) !== (await op.getByLabel('All user events', { exact: true }).getAttribute('id'))) await family.uncheck();
  }
  check(await op.getByLabel('All user events', { exact: true }).isChecked(), 'the event-type picker keeps only the user events');
  await op.getByRole('button', { name: 'Create endpoint' }).click();
  await op.getByRole('heading', { name: 'Endpoint created' }).waitFor();
  const secret = await op.getByLabel('Signing secret', { exact: true }).inputValue();
  secrets.add(secret);
  check(secret.startsWith('whsec_'), 'the endpoint is created and its signing secret shown');
  await shot(op, 'journey-02-operator-endpoint-created');
  await op.getByRole('link', { name: 'Open the endpoint' }).click();
  await op.waitForURL(/\/admin\/endpoints\/[0-9a-f-]{36}$/);
  const endpointUrl = op.url();

  // ── IT admin: opens the setup link in another browser ──────────────────────────────────
  const adminContext = await browser.newContext({ viewport: DESKTOP });
  adminContext.on('request', (request) => {
    const auth = request.headers().authorization;
    if (auth?.startsWith('Bearer ')) secrets.add(auth.slice('Bearer '.length));
  });
  await adminContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(base).origin });
  const it = await adminContext.newPage();
  problems.push({ page: 'it-admin', list: watch(it) });
  await it.goto(setupLink);
  await it.waitForURL('**/admin/portal');
  await it.getByRole('heading', { name: 'Connect your directory' }).waitFor();
  check(!it.url().includes('setup/'), 'the setup token leaves the address bar');
  await it.getByRole('button', { name: 'Okta', exact: true }).click();
  await it.getByRole('button', { name: 'Create connection and token' }).click();
  const urlField = it.getByLabel('SCIM connector base URL', { exact: true });
  await urlField.waitFor();
  check(await appears(it.getByText('Copy the token now.'), 10_000), 'the token is shown once, with a warning');
  const clipboard = () => it.evaluate(() => navigator.clipboard.readText());
  await it.getByRole('button', { name: 'Copy SCIM connector base URL' }).click();
  const scimBase = await clipboard();
  check(scimBase === (await urlField.inputValue()) && /\/scim\/v2\/[0-9a-f-]{36}$/.test(scimBase), 'Copy puts the SCIM base URL on the clipboard');
  await it.getByRole('button', { name: 'Copy Authorization (Bearer)' }).click();
  const token = await clipboard();
  secrets.add(token);
  secrets.add(await refreshToken(it));
  check(token.length > 20 && token === (await it.getByLabel('Authorization (Bearer)', { exact: true }).inputValue()), 'Copy puts the bearer token on the clipboard');
  const checkRegion = it.getByRole('region', { name: 'Connection check' });
  check(await appears(checkRegion.getByText('Waiting for the first request from your identity provider…'), 10_000), 'the live check waits for the IdP');
  await shot(it, 'journey-03-it-admin-okta-guide');

  // ── The IdP: provisions a user with the copied URL and token (and tries it twice) ──────
  const scim = (body) =>
    fetch(`${scimBase}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    });
  const ada = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'ada@acme.test',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ value: 'ada@acme.test', type: 'work', primary: true }],
    active: true,
  };
  check((await scim(ada)).status === 201, 'the IdP creates a user with the copied token');
  check((await scim(ada)).status === 409, 'a duplicate create is refused (409)');

  await checkRegion.getByText('Receiving requests').waitFor({ timeout: 20_000 });
  check(true, 'the live check turns green');
  await checkRegion.getByText(/1 user and 0 groups received so far/).waitFor({ timeout: 20_000 });
  await checkRegion.getByText(/already exists in this connection/).waitFor({ timeout: 20_000 });
  check(true, 'the live check explains the failed request');
  await shot(it, 'journey-04-it-admin-live-check-green');

  await it.getByRole('link', { name: /Users, groups, request log and tokens/ }).click();
  const users = it.getByRole('table', { name: 'Users' });
  await users.getByRole('button', { name: 'ada@acme.test' }).waitFor();
  check(true, 'the user appears in the portal');
  // Keyboard: open the user with Enter, close with Escape.
  await users.getByRole('button', { name: 'ada@acme.test' }).focus();
  await it.keyboard.press('Enter');
  const userDialog = it.getByRole('dialog', { name: 'ada@acme.test' });
  check(await appears(userDialog.getByText('Ada Lovelace'), 10_000), 'Enter opens the user with its details');
  await shot(it, 'journey-05-it-admin-user');
  await it.keyboard.press('Escape');
  await userDialog.waitFor({ state: 'detached', timeout: 5_000 }).catch(() => {});
  check((await userDialog.count()) === 0, 'Escape closes the dialog');
  await shot(it, 'journey-06-it-admin-users');
  await it.getByRole('link', { name: 'Request log' }).click();
  await it.getByText(/already exists in this connection/).first().waitFor();
  check(true, 'the request log explains the 409 in plain words');
  await shot(it, 'journey-07-it-admin-request-log');
  await it.setViewportSize(NARROW);
  check(!(await overflows(it)), 'narrow screen: the request log has no horizontal overflow');
  await shot(it, 'journey-08-it-admin-request-log-narrow');
  await it.getByRole('link', { name: 'Users' }).click();
  await it.getByRole('table', { name: 'Users' }).waitFor();
  check(!(await overflows(it)), 'narrow screen: the users list has no horizontal overflow');
  await shot(it, 'journey-09-it-admin-users-narrow');

  // ── Operator: the delivery, the chart, the payload, a replay ───────────────────────────
  const first = await until('the user.created webhook', () => received.find((hook) => hook.body.type === 'user.created'));
  check(first.body.data.user_name === 'ada@acme.test' && Boolean(first.headers['webhook-signature']), 'the app receives a signed user.created webhook');
  await op.goto(endpointUrl);
  const deliveries = op.getByRole('table', { name: 'Deliveries, newest first' });
  // A refresh shows a loading state until its answer is in: wait for the reloaded content
  // rather than look at it right after the click.
  await until('the delivery listed as succeeded', async () => {
    await op.getByRole('button', { name: 'Refresh' }).last().click();
    return appears(deliveries.getByText('Succeeded').first());
  });
  const chart = op.getByRole('region', { name: 'Attempts over time' });
  await until('the chart counting the attempt', async () => {
    await chart.getByRole('button', { name: 'Refresh' }).click();
    return appears(chart.getByRole('img', { name: /^1 succeeded and 0 failed/ }));
  });
  check(true, 'the endpoint shows the delivery and the chart counts it');
  await shot(op, 'journey-10-operator-endpoint-deliveries');
  await deliveries.getByRole('link', { name: 'user.created' }).first().click();
  await op.getByLabel('Delivered payload', { exact: true }).waitFor();
  check((await op.getByLabel('Delivered payload', { exact: true }).innerText()).includes('ada@acme.test'), 'the payload viewer shows what was sent');
  const before = received.length;
  await op.getByRole('button', { name: 'Replay' }).click();
  await op.getByText('Replay queued').waitFor();
  const replay = await until('the replayed webhook', () => received.length > before && received[received.length - 1]);
  check(replay.headers['webhook-id'] === first.headers['webhook-id'], 'the replay reaches the app with the same webhook-id');
  await until('the second attempt recorded', async () => {
    await op.reload();
    return appears(op.getByRole('heading', { name: 'Attempts (2)' }));
  });
  check(true, 'the delivery shows both attempts');
  await shot(op, 'journey-11-operator-delivery-replayed');

  await op.getByRole('link', { name: 'Events' }).click();
  await op.getByLabel('Tenant id', { exact: true }).fill(tenantId);
  await op.getByLabel('Tenant id', { exact: true }).press('Enter');
  const events = op.getByRole('list', { name: 'Events' });
  await events.getByText('user.created').first().waitFor();
  check(true, 'the events browser, filtered by the tenant, shows its user.created event');
  await shot(op, 'journey-12-operator-events');
  // An API key for the app's backend: shown once.
  await op.getByRole('link', { name: 'API keys' }).click();
  await op.getByRole('button', { name: 'Create API key' }).first().click();
  const keyDialog = op.getByRole('dialog', { name: 'Create an API key' });
  await keyDialog.getByLabel('Name', { exact: true }).fill('Acme backend');
  await keyDialog.getByRole('button', { name: 'Create key' }).click();
  const apiKey = await op.getByLabel('API key', { exact: true }).inputValue();
  secrets.add(apiKey);
  const listed = await fetch(`${base}/api/v1/tenants`, { headers: { authorization: `Bearer ${apiKey}` } });
  check(listed.status === 200, 'the new API key works against the API');
  await shot(op, 'journey-13-operator-api-key-created');
  await op.getByRole('button', { name: 'Done' }).click();
  secrets.add(await refreshToken(op));

  await op.getByRole('link', { name: 'Audit log' }).click();
  await op.getByText('delivery.replayed').first().waitFor();
  check(true, 'the audit log records the replay');
  await shot(op, 'journey-14-operator-audit-log');
  await op.setViewportSize(NARROW);
  await op.goto(endpointUrl);
  await op.getByRole('region', { name: 'Attempts over time' }).waitFor();
  check(!(await overflows(op)), 'narrow screen: the endpoint page has no horizontal overflow');
  await shot(op, 'journey-15-operator-endpoint-narrow');

  for (const { page, list } of problems) check(list.length === 0, `${page}: no console errors or failed requests ${list.join(' | ')}`);
} catch (error) {
  check(false, `journey stopped: ${error.message}`);
  // What the pages showed and logged when it stopped, for the failure's diagnosis.
  for (const { page, list } of problems) if (list.length > 0) console.log(`# ${page}: ${list.join(' | ')}`);
  const open = browser.contexts().flatMap((context) => context.pages());
  for (const [n, page] of open.entries()) {
    await page.screenshot({ path: `${shots}journey-stopped-${n}.png`, fullPage: true }).catch(() => {});
    console.log(`# page ${n} (${page.url()}): ${(await page.locator('main').innerText().catch(() => '')).slice(0, 2000)}`);
  }
} finally {
  await browser.close();
  receiver.close();
  if (process.env.E2E_SECRETS_FILE) writeFileSync(process.env.E2E_SECRETS_FILE, [...secrets].filter(Boolean).join('\n') + '\n');
}
finish('browser journeys');
