import { expect, test, APEX, provisionTenant, tenantUrl, uniqueSlug } from './support';

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

test("the app's files travel compressed to browsers that take it", async ({ request }) => {
  for (const file of ['/pkg/hcrm.wasm', '/pkg/hcrm.js', '/pkg/hcrm.css']) {
    const compressed = await request.get(file, { headers: { 'Accept-Encoding': 'br' } });
    const plain = await request.get(file, { headers: { 'Accept-Encoding': 'identity' } });

    expect(compressed.headers()['content-encoding'], file).toBe('br');
    expect(plain.headers()['content-encoding'], file).toBeUndefined();
    expect((await compressed.body()).equals(await plain.body()), file).toBe(true);
  }
});
