// Forgot password: the same answer for a known and an unknown address, a link that works
// once, and the old password dead afterwards.
import {
  expect, test, PASSWORD, emailedLink, mailTo, ready, signIn, signedInAdmin, tenantUrl,
} from './support';

test('a reset link sets a new password once, and the old password stops working', async ({ page, browser }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/login'));
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/forgot-password'));
  await ready(page, testInfo);

  // Known and unknown addresses get the same page.
  const nobody = `nobody@${tenant.slug}.example.com`;
  await page.getByLabel('Email').fill(nobody);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  const unknown = await page.getByRole('status').filter({ hasText: 'If that email belongs' }).textContent();
  await page.goto(tenantUrl(tenant.slug, '/forgot-password'));
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(tenant.adminEmail);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  const known = await page.getByRole('status').filter({ hasText: 'If that email belongs' }).textContent();
  expect(known).toBe(unknown);
  expect(await mailTo(nobody)).toHaveLength(0);

  const link = await emailedLink(tenant.adminEmail, '/reset/');
  const mail = (await mailTo(tenant.adminEmail)).find((m) => m.text.includes('/reset/'))!;
  expect(mail.subject).toContain(tenant.name);
  const other = await browser.newPage();
  await other.goto(link);
  await other.getByLabel('New password').fill('a brand new passphrase');
  await other.getByRole('button', { name: 'Set new password' }).click();
  await expect(other).toHaveURL(tenantUrl(tenant.slug, '/leads'));
  await other.close();

  const again = await page.goto(link);
  expect(again?.status()).toBe(410);
  await expect(page.getByRole('alert')).toContainText('already used');

  await signIn(page, testInfo, tenant.slug, tenant.adminEmail, PASSWORD);
  await expect(page.getByRole('alert').filter({ hasText: "don't match" })).toBeVisible();
  await signIn(page, testInfo, tenant.slug, tenant.adminEmail, 'a brand new passphrase');
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/leads'));
});

test('a new password that breaks the rules is refused by name', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await page.goto(tenantUrl(tenant.slug, '/forgot-password'));
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(tenant.adminEmail);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  const link = await emailedLink(tenant.adminEmail, '/reset/');

  await page.goto(link);
  await ready(page, testInfo);
  await page.getByLabel('New password').fill('password123');
  await page.getByRole('button', { name: 'Set new password' }).click();

  await expect(page.getByLabel('New password')).toHaveAccessibleDescription(/too common/);
});
