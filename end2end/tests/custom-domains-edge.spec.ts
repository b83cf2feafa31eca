// A custom domain from nothing to HTTPS through the real edge: Caddy asks the platform
// before getting a certificate on demand from Pebble (an ACME CA on loopback), so an
// unverified name gets no certificate at all; once its TXT record is published and
// verified, the name gets a certificate chained to Pebble's root, the workspace's branded
// splash, and a working sign-in in Chromium.
import https from 'node:https';
import tls from 'node:tls';
import { chromium } from '@playwright/test';
import { expect, test, PASSWORD, openSettings, ready, signedInAdmin } from './support';
import { EDGE_HTTPS_PORT, chromiumSpki, customDomain, pebbleRoot, setTxt } from './edge';

/** A TLS handshake with the edge for `name`, trusting Pebble's root: its outcome. */
function handshake(name: string): Promise<{ ok: boolean; issuer?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: EDGE_HTTPS_PORT, servername: name, ca: pebbleRoot() });
    socket.setTimeout(20_000, () => { socket.destroy(); resolve({ ok: false, error: 'timeout' }); });
    socket.once('secureConnect', () => {
      const issuer = socket.getPeerCertificate(true)?.issuer?.CN;
      const ok = socket.authorized;
      socket.end();
      resolve({ ok, issuer, error: socket.authorizationError?.toString() });
    });
    socket.once('error', (e) => resolve({ ok: false, error: e.message }));
  });
}

/** GET `path` on `name` through the edge, verifying the chain against Pebble's root. */
function httpsGet(name: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port: EDGE_HTTPS_PORT, path, servername: name, ca: pebbleRoot(),
      headers: { Host: `${name}:${EDGE_HTTPS_PORT}` },
    }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a verified domain gets a certificate from the edge and serves the workspace; an unverified one gets none', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const tenant = await signedInAdmin(page, testInfo, 'Harbor Law Group');
  const domain = customDomain(tenant.slug);
  const challenge = `_hcrm-challenge.${domain}`;

  // Not ours yet: the platform says no, so the edge has no certificate to offer.
  const refused = await handshake(domain);
  expect(refused.ok, JSON.stringify(refused)).toBe(false);

  // What the Domains page says to do: add, publish the TXT record, Verify.
  await openSettings(page, testInfo, tenant.slug, 'domains');
  await page.getByLabel('Domain').fill(domain);
  await page.getByRole('button', { name: 'Add domain' }).click();
  const panel = page.getByRole('region', { name: domain });
  await expect(panel).toContainText('Pending');
  const value = (await panel.getByText(/^hcrm-verify=/).textContent())!.trim();
  expect(await handshake(domain)).toMatchObject({ ok: false });
  await setTxt(challenge, value);
  await ready(page, testInfo);
  await panel.getByRole('button', { name: 'Verify' }).click();
  await expect(panel.getByText('Verified', { exact: true })).toBeVisible();

  // Now the first handshake gets a certificate on demand, chained to Pebble's root.
  const accepted = await handshake(domain);
  expect(accepted, JSON.stringify(accepted)).toMatchObject({ ok: true });
  expect(accepted.issuer).toMatch(/Pebble/i);
  const splash = await httpsGet(domain, '/');
  expect(splash.status).toBe(200);
  expect(splash.body).toContain('Harbor Law Group');

  // Another name under the same domain is still nobody's.
  expect((await handshake(`www.${tenant.slug}.test`)).ok).toBe(false);

  // Sign in there in Chromium, with the name resolved to loopback.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      `--host-resolver-rules=MAP ${domain} 127.0.0.1`,
      `--ignore-certificate-errors-spki-list=${chromiumSpki()}`,
    ],
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: testInfo.project.use.javaScriptEnabled !== false });
    const visitor = await context.newPage();
    const origin = `https://${domain}:${EDGE_HTTPS_PORT}`;
    await visitor.goto(`${origin}/`);
    await expect(visitor.getByRole('heading', { name: 'Harbor Law Group' })).toBeVisible();
    await visitor.goto(`${origin}/login`);
    await ready(visitor, testInfo);
    await visitor.getByLabel('Email').fill(tenant.adminEmail);
    await visitor.getByLabel('Password').fill(PASSWORD);
    await visitor.getByRole('button', { name: 'Sign in' }).click();
    await expect(visitor).toHaveURL(`${origin}/leads`);
    const cookies = await context.cookies(origin);
    const session = cookies.find((c) => c.name.includes('hcrm_session'));
    expect(session?.domain).toBe(domain);
  } finally {
    await browser.close();
  }
});
