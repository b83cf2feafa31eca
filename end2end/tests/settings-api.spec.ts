// Settings → API: rotate after a confirm step, the new key shown once, the old key dead at
// once, or kept for 24 hours and revoked by hand.
import { expect, test, openSettings, postLead, ready, signedInAdmin } from './support';

test('rotating the key shows the new one once; the old key stops at once', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'api');
  await expect(page.getByText(tenant.apiKey.slice(0, 9))).toBeVisible();

  await page.getByRole('button', { name: 'Rotate API key' }).click();
  await ready(page, testInfo);
  await expect(page.getByLabel('Keep the old key working for 24 hours')).not.toBeChecked();
  await page.getByRole('button', { name: 'Confirm: rotate API key' }).click();

  const newKey = await page.getByLabel('New API key').inputValue();
  expect(newKey).toMatch(/^hcrm_[A-Za-z0-9_-]{43}$/);
  expect(newKey).not.toBe(tenant.apiKey);
  expect((await postLead(tenant.slug, tenant.apiKey, { email: 'old@example.com' })).status).toBe(401);
  expect((await postLead(tenant.slug, newKey, { email: 'new@example.com' })).status).toBe(201);
  await page.reload();
  await expect(page.getByLabel('New API key')).toHaveCount(0);
  await expect(page.getByText(newKey.slice(0, 9))).toBeVisible();
});

test('the old key can keep working for 24 hours, until it is revoked', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'api');

  await page.getByRole('button', { name: 'Rotate API key' }).click();
  await ready(page, testInfo);
  await page.getByLabel('Keep the old key working for 24 hours').check();
  await page.getByRole('button', { name: 'Confirm: rotate API key' }).click();
  const newKey = await page.getByLabel('New API key').inputValue();

  await expect(page.getByText(/old key expires in 2[34] hours/)).toBeVisible();
  expect((await postLead(tenant.slug, tenant.apiKey, { email: 'old@example.com' })).status).toBe(201);
  expect((await postLead(tenant.slug, newKey, { email: 'new@example.com' })).status).toBe(201);

  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Revoke old key now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'old API key no longer works' })).toBeVisible();
  expect((await postLead(tenant.slug, tenant.apiKey, { email: 'old@example.com' })).status).toBe(401);
  expect((await postLead(tenant.slug, newKey, { email: 'new@example.com' })).status).toBe(201);
});
