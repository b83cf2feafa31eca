// Settings → Activity and Usage: what happened, filtered, and what is used.
import { expect, test, openSettings, postLead, signedInAdmin, uniqueSlug } from './support';

test('the activity log shows the workspace\'s changes and sign-ins, filtered by action', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  const email = `${uniqueSlug('ivy')}@example.com`;
  await openSettings(page, testInfo, tenant.slug, 'team');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Invite sent.' })).toBeVisible();

  await openSettings(page, testInfo, tenant.slug, 'activity');
  const rows = page.getByRole('row');
  await expect(rows.filter({ hasText: 'Sent an invite' })).toContainText(email);
  await expect(rows.filter({ hasText: 'Accepted an invite' })).toContainText('Ada Admin');
  await expect(rows.filter({ hasText: 'Created the workspace' })).toBeVisible();

  await page.getByLabel('Action').selectOption({ label: 'Sent an invite' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=invite\.sent/);
  await expect(page.getByRole('row')).toHaveCount(2); // the header and the one entry
  expect(await page.content()).not.toContain('/invite/');
});

test('usage shows seats against the plan and the leads received', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  for (const n of [1, 2, 3]) {
    expect((await postLead(tenant.slug, tenant.apiKey, { email: `lead${n}@example.com` })).status).toBe(201);
  }

  await openSettings(page, testInfo, tenant.slug, 'usage');

  await expect(page.getByText('Plan: Free')).toBeVisible();
  await expect(page.getByText('1 of 5 seats used: 1 member and 0 pending invites.')).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Seats used' })).toHaveAttribute('value', '1');
  const facts = page.locator('dl');
  await expect(facts).toContainText('This month3');
  await expect(facts).toContainText('In total3');
});
