import { expect, test, acceptInvite, hcrm, postLead, provisionTenant, signIn, tenantUrl } from './support';

const PASSWORD = 'violet tugboat orchard';

test('suspending by CLI closes splash, sign-in, sessions and intake; reactivating restores them', async ({ page }, testInfo) => {
  const tenant = await provisionTenant('Paused Partners');
  await acceptInvite(page, testInfo, tenant, 'Ada Admin', PASSWORD);
  expect((await postLead(tenant.slug, tenant.apiKey, { email: 'kept@example.com' })).status).toBe(201);

  const suspended = await hcrm('suspend', tenant.slug, '--reason', 'Unpaid invoice');
  expect(suspended.code, suspended.stderr).toBe(0);

  const splash = await page.goto(tenantUrl(tenant.slug));
  expect(splash?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText('suspended');
  await page.goto(tenantUrl(tenant.slug, '/leads'));
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/login'));
  await signIn(page, testInfo, tenant.slug, tenant.adminEmail, PASSWORD);
  await expect(page.getByRole('alert').filter({ hasText: 'suspended' }).first()).toBeVisible();
  await expect(page).toHaveURL(/\/login|\/fn\//);
  const refused = await postLead(tenant.slug, tenant.apiKey, { email: 'new@example.com' });
  expect(refused.status).toBe(403);
  expect(refused.body.error).toBe('tenant_suspended');

  const reactivated = await hcrm('reactivate', tenant.slug);
  expect(reactivated.code, reactivated.stderr).toBe(0);

  expect((await page.goto(tenantUrl(tenant.slug)))?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Paused Partners');
  await signIn(page, testInfo, tenant.slug, tenant.adminEmail, PASSWORD);
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/leads'));
  await expect(page.getByRole('article', { name: 'kept@example.com' })).toBeVisible();
  expect((await postLead(tenant.slug, tenant.apiKey, { email: 'new@example.com' })).status).toBe(201);
});

test('a rotated key stops working at once and the new one works', async () => {
  const tenant = await provisionTenant();
  const rotated = await hcrm('rotate-key', tenant.slug);
  expect(rotated.code, rotated.stderr).toBe(0);
  const newKey = rotated.stdout.match(/(hcrm_[A-Za-z0-9_-]{43})/)![1];

  expect((await postLead(tenant.slug, tenant.apiKey, { email: 'a@example.com' })).status).toBe(401);
  expect((await postLead(tenant.slug, newKey, { email: 'a@example.com' })).status).toBe(201);
});

test('the CLI refuses bad arguments with one line and status 2', async () => {
  for (const args of [
    ['provision-tenant', '-bad-', 'Name', 'a@example.com'],
    ['provision-tenant', 'good-slug', 'Name', 'not-an-email'],
    ['provision-tenant', 'www', 'Name', 'a@example.com'],
    ['approve', 'no-such-tenant-here'],
  ]) {
    const result = await hcrm(...args);
    expect(result.code, args.join(' ')).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  }
  const missing = await hcrm('reject', 'some-tenant');
  expect(missing.code).toBe(2);
  expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  expect(missing.stderr).toContain('--reason');
  const taken = await provisionTenant();
  const again = await hcrm('provision-tenant', taken.slug, 'Other', 'other@example.com');
  expect(again.code).toBe(2);
  expect(again.stderr).toContain('taken');
});
