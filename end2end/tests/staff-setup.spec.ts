import { expect, test, APEX, hcrm, ready, uniqueSlug } from './support';

test('a staff member sets a password from the create-staff link, once', async ({ page }, testInfo) => {
  const email = `${uniqueSlug('ops')}@href.example.com`;
  const created = await hcrm('create-staff', email);
  expect(created.code, created.stderr).toBe(0);
  const link = created.stdout.match(/(http:\/\/\S+\/admin\/setup\/\S+)/)![1];
  expect(link.startsWith(`http://${APEX}/`)).toBe(true);

  await page.goto(link);
  await ready(page, testInfo);
  await expect(page.getByText(email)).toBeVisible();
  await page.getByLabel('Password').fill('12345678');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/too common/);

  await page.getByLabel('Password').fill('quiet harbour lantern');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('heading', { name: 'Password set' })).toBeVisible();

  const reused = await page.goto(link);
  expect(reused?.status()).toBe(410);
  await expect(page.getByRole('alert')).toContainText('used or has expired');
});
