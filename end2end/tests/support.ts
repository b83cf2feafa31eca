// Helpers for the specs: the staff CLI, the intake API, the dev mailbox, and hydration.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';

export { expect };

/** A client address of its own, so that per-IP rate limits only meet the tests that seek them. */
export function randomIp(): string {
  const octet = () => 1 + Math.floor(Math.random() * 254);
  return `10.${octet()}.${octet()}.${octet()}`;
}

/**
 * Every spec's `test`: each test comes from its own client IP (the server trusts
 * X-Forwarded-For in this suite), and fails if the page throws (a wasm panic, a
 * hydration error).
 */
export const test = base.extend<{ pageErrors: string[] }>({
  extraHTTPHeaders: async ({}, use) => {
    await use({ 'X-Forwarded-For': randomIp() });
  },
  pageErrors: [async ({ page }, use, testInfo) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`${error.message} (on ${page.url()})`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()} (on ${page.url()})`);
    });
    await use(errors);
    if (errors.length > 0) {
      await testInfo.attach('browser errors', { body: errors.join('\n') });
    }
    expect(errors.filter((e) => !e.startsWith('console:')), 'uncaught errors in the page').toEqual([]);
  }, { auto: true }],
});

export const PORT = 3100;
export const APEX = `localhost:${PORT}`;
const ROOT = path.resolve(__dirname, '..', '..');

/** The server's environment; the CLI gets the same, so both reach one database. */
export const serverEnv: Record<string, string> = {
  ...(process.env as Record<string, string>),
  APP_DOMAIN: APEX,
  LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
  DEV_MAIL: '1',
  TRUST_PROXY: '1',
  // The console specs sign staff in without two-factor as well as with it.
  STAFF_TWO_FACTOR: 'optional',
  // The relay is down for the whole suite: every email fails on its first attempt and stays
  // readable in the dev mailbox, and the console's outbox has failed emails to Retry.
  SMTP_URL: 'smtp://127.0.0.1:9',
  OUTBOX_ATTEMPTS: '1',
  HCRM_DATA_DIR: path.join(ROOT, '.data', 'e2e'),
  // Custom domains' TXT records are looked up at the edge's DNS (global-setup.ts).
  DNS_RESOLVER: '127.0.0.1:8053',
  // The test identity providers run on loopback (global-setup.ts).
  SSO_ALLOW_PRIVATE: '1',
  RUST_LOG: process.env.RUST_LOG ?? 'info,sqlx=warn',
};

export const tenantHost = (slug: string) => `${slug}.${APEX}`;
export const tenantUrl = (slug: string, p = '/') => `http://${tenantHost(slug)}${p}`;

/** A subdomain no other test uses. */
export function uniqueSlug(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs `hcrm <args>` (the release build of `cargo hcrm`). */
export function hcrm(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(path.join(ROOT, 'target', 'release', 'hcrm'), args, { cwd: ROOT, env: serverEnv },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

export interface Tenant { slug: string; name: string; adminEmail: string; apiKey: string; inviteUrl: string; id: string }

/** Provisions a tenant with the CLI and reads the block it prints. */
export async function provisionTenant(name = 'Acme Family Law'): Promise<Tenant> {
  const slug = uniqueSlug();
  const adminEmail = `admin@${slug}.example.com`;
  const result = await hcrm('provision-tenant', slug, name, adminEmail);
  expect(result.code, result.stderr).toBe(0);
  const field = (re: RegExp) => {
    const match = result.stdout.match(re);
    expect(match, `${re} in:\n${result.stdout}`).not.toBeNull();
    return match![1];
  };
  return {
    slug, name, adminEmail,
    apiKey: field(/API key \(store securely; not retrievable again\):\n\s+(hcrm_\S+)/),
    inviteUrl: field(/Admin invite:\s+(\S+)/),
    id: field(/Tenant ID:\s+(\S+)/),
  };
}

export interface ApiResponse { status: number; headers: http.IncomingHttpHeaders; body: any }

/** An HTTP request to a tenant host (Node cannot resolve *.localhost: Host header). */
export function request(host: string, method: string, p: string, headers: Record<string, string> = {}, body?: string): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, method, path: p, headers: { Host: host, ...headers } }, (res) => {
      let data = '';
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => {
        let parsed: any = data;
        try { parsed = JSON.parse(data); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Posts a lead to a tenant's intake API. */
export function postLead(slug: string, apiKey: string, lead: object, headers: Record<string, string> = {}) {
  return request(tenantHost(slug), 'POST', '/api/leads/intake',
    { 'Content-Type': 'application/json', 'X-API-Key': apiKey, ...headers }, JSON.stringify(lead));
}

export interface Mail { to: string; subject: string; text: string; html: string; created_at: string }

/** The emails sent to an address, newest first (the dev mailbox). */
export async function mailTo(address: string): Promise<Mail[]> {
  const res = await request(APEX, 'GET', `/__dev/mail?to=${encodeURIComponent(address)}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Waits until the page is interactive, when the project runs with scripting on. */
export async function ready(page: Page, testInfo: TestInfo) {
  if (testInfo.project.use.javaScriptEnabled !== false) {
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1, { timeout: 20_000 });
  }
}

export const hydrated = (testInfo: TestInfo) => testInfo.project.use.javaScriptEnabled !== false;

/** Accepts a tenant's admin invite as a new person; ends signed in on the board. */
export async function acceptInvite(page: Page, testInfo: TestInfo, tenant: Tenant, name = 'Ada Admin', password = 'violet tugboat orchard') {
  await page.goto(tenant.inviteUrl);
  await ready(page, testInfo);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Accept invite' }).click();
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/leads'));
  await expect(page.getByRole('heading', { name: 'Pipeline' })).toBeVisible();
}

/** Signs in on a tenant's /login page. */
export async function signIn(page: Page, testInfo: TestInfo, slug: string, email: string, password: string) {
  await page.goto(tenantUrl(slug, '/login'));
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export interface Signup { company: string; subdomain: string; name: string; email: string; password: string }

/** A signup's inputs that no other test uses. */
export function newSignup(overrides: Partial<Signup> = {}): Signup {
  const subdomain = uniqueSlug('s');
  return {
    company: 'Acme Family Law',
    subdomain,
    name: 'Grace Founder',
    email: `grace@${subdomain}.example.com`,
    password: 'violet tugboat orchard',
    ...overrides,
  };
}

/** Fills the signup form (the subdomain last, so that it is the person's own). */
export async function fillSignup(page: Page, signup: Signup) {
  await page.getByLabel('Company name').fill(signup.company);
  await page.getByLabel('Subdomain').fill(signup.subdomain);
  await page.getByLabel('Your name').fill(signup.name);
  await page.getByLabel('Work email').fill(signup.email);
  await page.getByLabel('Password').fill(signup.password);
  await liveChecksAnswered(page);
}

/**
 * Waits, on a hydrated signup page, for the live subdomain and password answers, as a
 * person would see them before submitting: they add lines above the button, and a click
 * aimed just before they arrive lands beside it.
 */
export async function liveChecksAnswered(page: Page) {
  if ((await page.locator('html[data-hydrated]').count()) === 0) return;
  await expect(page.getByLabel('Subdomain')).toHaveAccessibleDescription(/is (available|taken|reserved|quarantined)/);
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/Strong enough|too common|at least|at most/);
}

/** Signs up through the form; ends on the new workspace's welcome page. */
export async function signUp(page: Page, testInfo: TestInfo, signup: Signup) {
  await page.goto('/signup');
  await ready(page, testInfo);
  await fillSignup(page, signup);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(tenantUrl(signup.subdomain, '/welcome'));
}

/** Holds back every request of `page` to `url` (a glob) until the returned function is called. */
export async function holdRequests(page: Page, url: string): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(url, async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

/**
 * Holds the page's wasm back until the returned function is called, so that a test can
 * type into the server-rendered form before it hydrates, as a person on a slow phone does.
 */
export const holdHydration = (page: Page) => holdRequests(page, '**/pkg/*.wasm');

export const PASSWORD = 'violet tugboat orchard';

/** A new workspace whose admin (signed in on `page`) accepted the invite. */
export async function signedInAdmin(page: Page, testInfo: TestInfo, name = 'Acme Family Law'): Promise<Tenant> {
  const tenant = await provisionTenant(name);
  await acceptInvite(page, testInfo, tenant, 'Ada Admin', PASSWORD);
  return tenant;
}

/** Opens a Settings page and waits for it to be live. */
export async function openSettings(page: Page, testInfo: TestInfo, slug: string, area: string) {
  await page.goto(tenantUrl(slug, `/settings/${area}`));
  await ready(page, testInfo);
}

/** The newest emailed link to `address` whose path contains `part`, once it arrives. */
export async function emailedLink(address: string, part: string): Promise<string> {
  let link = '';
  await expect.poll(async () => {
    const mail = await mailTo(address);
    const found = mail.map((m) => m.text.match(new RegExp(`https?://\\S*${part}\\S*`))).find(Boolean);
    link = found ? found[0] : '';
    return link;
  }, { timeout: 15_000 }).not.toBe('');
  return link;
}

export const STAFF_PASSWORD = 'quiet harbour lantern';

/** A new HREF staff account (create-staff, then its set-password link); its email. */
export async function staffAccount(page: Page, testInfo: TestInfo): Promise<string> {
  const email = `${uniqueSlug('ops')}@href.example.com`;
  const created = await hcrm('create-staff', email);
  expect(created.code, created.stderr).toBe(0);
  const link = created.stdout.match(/(http:\/\/\S+\/admin\/setup\/\S+)/)![1];
  await page.goto(link);
  await ready(page, testInfo);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('heading', { name: 'Password set' })).toBeVisible();
  return email;
}

/** Signs in to the staff console at /admin/login (stops before a two-factor code). */
export async function staffSignIn(page: Page, testInfo: TestInfo, email: string, password = STAFF_PASSWORD) {
  await page.goto('/admin/login');
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A staff member signed in to the console on `page`; their email. */
export async function signedInStaff(page: Page, testInfo: TestInfo): Promise<string> {
  const email = await staffAccount(page, testInfo);
  await staffSignIn(page, testInfo, email);
  await expect(page.getByRole('heading', { name: 'Tenants' })).toBeVisible();
  await ready(page, testInfo);
  return email;
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 `secret` at `at` ms. */
export function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}
