// What the second security review changed where people see it: a `next` that a browser
// would read as another host, invite emails that are limited (and held while a workspace
// waits for approval), and staff accounts that can be disabled.
import {
  expect, test, PASSWORD, emailedLink, hcrm, mailTo, newSignup, openSettings, randomIp, ready, signUp,
  signedInAdmin, signedInStaff, staffAccount, staffSignIn, tenantUrl, uniqueSlug,
} from './support';

test('signing in with a next address that hides another host behind a tab lands on the board', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/login'));

  await page.goto(tenantUrl(tenant.slug, '/login?next=%2F%09%2Fexample.org%2F'));
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(tenant.adminEmail);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/leads'));
  await expect(page.getByRole('heading', { name: 'Pipeline' })).toBeVisible();
});

test('an address gets three invite emails an hour: a fourth resend says when, and sends nothing', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  const email = `${uniqueSlug('bob')}@example.com`;
  await openSettings(page, testInfo, tenant.slug, 'team');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Invite sent.' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: email });
  for (let i = 0; i < 2; i++) {
    await ready(page, testInfo);
    await row.getByRole('button', { name: 'Resend' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Invite sent again' })).toBeVisible();
    await expect.poll(async () => (await mailTo(email)).length).toBe(i + 2);
  }

  await ready(page, testInfo);
  await row.getByRole('button', { name: 'Resend' }).click();

  await expect(page.getByRole('alert').filter({ hasText: /try again in \d+ minutes/i })).toBeVisible();
  expect((await mailTo(email)).length).toBe(3);
});

test('a workspace awaiting approval says its invites wait, and they go out once HREF approves it', async ({ page }, testInfo) => {
  const signup = newSignup();
  await signUp(page, testInfo, signup);
  await openSettings(page, testInfo, signup.subdomain, 'team');
  await expect(page.getByText(/awaiting approval: invite emails wait in the outbox/)).toBeVisible();
  const email = `${uniqueSlug('kim')}@example.com`;

  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Invite sent.' })).toBeVisible();
  expect(await mailTo(email)).toEqual([]);
  const approved = await hcrm('approve', signup.subdomain);
  expect(approved.code, approved.stderr).toBe(0);

  const link = await emailedLink(email, '/invite/');
  expect(link).toContain(`${signup.subdomain}.`);
});

test('staff disable another staff account after confirming: it is signed out and cannot sign in', async ({ page, browser }, testInfo) => {
  const other = await browser.newPage({ extraHTTPHeaders: { 'X-Forwarded-For': randomIp() } });
  const colleague = await signedInStaff(other, testInfo);
  await signedInStaff(page, testInfo);
  await page.goto('/admin/staff');
  await ready(page, testInfo);
  const row = page.getByRole('row').filter({ hasText: colleague });
  await expect(row).toContainText('Active');

  await row.getByRole('button', { name: 'Disable' }).click();
  const confirm = page.getByRole('group', { name: `Disable ${colleague}?` });
  await expect(confirm).toBeVisible();
  await ready(page, testInfo);
  await confirm.getByRole('button', { name: `Confirm: disable ${colleague}` }).click();

  await expect(page.getByRole('status').filter({ hasText: 'is disabled' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: colleague })).toContainText('Disabled');
  await other.goto('/admin');
  await expect(other.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await staffSignIn(other, testInfo, colleague);
  await expect(other.getByRole('alert').filter({ hasText: 'disabled' })).toBeVisible();
  await other.close();
});

test('a staff member cannot disable their own account', async ({ page }, testInfo) => {
  const me = await staffAccount(page, testInfo);
  await staffSignIn(page, testInfo, me);
  await expect(page.getByRole('heading', { name: 'Tenants' })).toBeVisible();
  await page.goto(`/admin/staff?disable=${encodeURIComponent(me)}`);
  await ready(page, testInfo);

  await page.getByRole('button', { name: `Confirm: disable ${me}` }).click();

  await expect(page.getByRole('alert').filter({ hasText: 'cannot disable your own account' })).toBeVisible();
});
