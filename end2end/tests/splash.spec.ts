import { expect, test, APEX, provisionTenant, tenantUrl, uniqueSlug } from './support';
import type { APIRequestContext } from '@playwright/test';

test('the apex shows the landing page with a way to start a workspace', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Start your workspace' })).toHaveAttribute('href', '/signup');
});

test("a tenant's splash shows its name, logo and brand colour", async ({ page }) => {
  const tenant = await provisionTenant('Acme Family Law');

  const response = await page.goto(tenantUrl(tenant.slug));

  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Family Law');
  const logo = page.getByRole('img', { name: 'Acme Family Law logo' });
  await expect(logo).toBeVisible();
  expect(await logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expect(page.locator('html')).toHaveAttribute('style', /--brand: #2563eb/);
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
});

test('host matching ignores case', async ({ page }) => {
  const tenant = await provisionTenant('Case Study');
  await page.goto(`http://${tenant.slug.toUpperCase()}.${APEX}/`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Case Study');
});

test('an unknown subdomain is a 404 that offers to claim it', async ({ page }) => {
  const slug = uniqueSlug('free');

  const response = await page.goto(tenantUrl(slug));

  expect(response?.status()).toBe(404);
  await expect(page.getByText('No workspace exists')).toBeVisible();
  await expect(page.getByRole('link', { name: /Claim/ })).toHaveAttribute(
    'href', `http://${APEX}/signup?subdomain=${slug}`);
});

test('an unknown path is a 404', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

/** The package files the apex page links: stylesheet, script and wasm, by their built names. */
async function packageFiles(request: APIRequestContext): Promise<string[]> {
  const html = await (await request.get('/')).text();
  const names = [...html.matchAll(/\/pkg\/[\w.-]+\.(?:css|js|wasm)/g)].map((m) => m[0]);
  return [...new Set(names)];
}

test("the app's files travel compressed to browsers that take it", async ({ request }) => {
  const files = await packageFiles(request);
  expect(files.map((f) => f.split('.').pop()).sort()).toEqual(['css', 'js', 'wasm']);
  for (const file of files) {
    const compressed = await request.get(file, { headers: { 'Accept-Encoding': 'br' } });
    const plain = await request.get(file, { headers: { 'Accept-Encoding': 'identity' } });

    expect(compressed.headers()['content-encoding'], file).toBe('br');
    expect(plain.headers()['content-encoding'], file).toBeUndefined();
    expect((await compressed.body()).equals(await plain.body()), file).toBe(true);
  }
});

test("the app's files are named by their content and kept for a year", async ({ request }) => {
  for (const file of await packageFiles(request)) {
    // hcrm.<content hash>.css: a new build links new names, so the old ones never change.
    expect(file, 'a hashed name').toMatch(/^\/pkg\/hcrm\.[\w-]{8,}\.(css|js|wasm)$/);
    const response = await request.get(file);
    expect(response.status(), file).toBe(200);
    expect(response.headers()['cache-control'], file).toBe('public, max-age=31536000, immutable');
    expect(response.headers()['set-cookie'], file).toBeUndefined();

    const again = await request.get(file, { headers: { 'If-None-Match': response.headers()['etag'] } });
    expect(again.status(), `${file} unchanged`).toBe(304);
  }
  // A file of public/ has no hash in its name: the browser asks again each time.
  const icon = await request.get('/favicon.svg');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['cache-control']).toBe('no-cache');
});
