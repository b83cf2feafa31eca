import { expect, test, acceptInvite, hcrm, mailTo, provisionTenant, ready, signIn, tenantUrl } from './support';

const PASSWORD = 'violet tugboat orchard';

test('the first admin accepts the invite, signs out and signs in again', async ({ page }, testInfo) => {
  const tenant = await provisionTenant();

  await acceptInvite(page, testInfo, tenant, 'Ada Admin', PASSWORD);
  await expect(page.getByText('Ada Admin')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/login'));

  await signIn(page, testInfo, tenant.slug, tenant.adminEmail, PASSWORD);
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/leads'));
  await expect(page.getByRole('heading', { name: 'Pipeline' })).toBeVisible();
});

test('the sign-in page knows who is signed in, and Sign out there works', async ({ page }, testInfo) => {
  const tenant = await provisionTenant();
  await acceptInvite(page, testInfo, tenant, 'Ada Admin', PASSWORD);

  await page.goto(tenantUrl(tenant.slug, '/login'));
  await ready(page, testInfo);
  await expect(page.getByRole('status').filter({ hasText: 'You are signed in as Ada Admin' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open the pipeline' })).toHaveAttribute('href', '/leads');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You are signed in as')).toHaveCount(0);
  await page.goto(tenantUrl(tenant.slug, '/leads'));
  await expect(page).toHaveURL(/\/login/);
});

test('the invite is sent through the outbox', async () => {
  const tenant = await provisionTenant('Mail Check');
  const [mail] = await mailTo(tenant.adminEmail);
  expect(mail.subject).toContain('Mail Check');
  expect(mail.text).toContain(tenant.inviteUrl);
  expect(mail.html).toContain(tenant.inviteUrl);
});

test('bad input on the invite form names the field and keeps the name', async ({ page }, testInfo) => {
  const tenant = await provisionTenant();
  await page.goto(tenant.inviteUrl);
  await ready(page, testInfo);

  await page.getByLabel('Your name').fill('Ada Admin');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Accept invite' }).click();

  const password = page.getByLabel('Password');
  await expect(password).toHaveAccessibleDescription(/at least 8 characters/i);
  await expect(page.getByRole('alert').filter({ hasText: 'Use at least 8 characters.' })).toBeVisible();
  await expect(page.getByLabel('Your name')).toHaveValue('Ada Admin');

  await page.getByLabel('Password').fill('password123');
  await page.getByRole('button', { name: 'Accept invite' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'too common' })).toBeVisible();
});

test('a used invite link gets a clear page and changes nothing', async ({ page, browser }, testInfo) => {
  const tenant = await provisionTenant();
  await acceptInvite(page, testInfo, tenant);

  const other = await browser.newPage({ javaScriptEnabled: testInfo.project.use.javaScriptEnabled });
  const response = await other.goto(tenant.inviteUrl);

  expect(response?.status()).toBe(410);
  await expect(other.getByRole('alert')).toContainText('already been used');
  await expect(other.getByRole('button', { name: 'Accept invite' })).toHaveCount(0);
  await other.close();
});

test('a wrong password is refused and the email is kept', async ({ page }, testInfo) => {
  const tenant = await provisionTenant();
  await acceptInvite(page, testInfo, tenant, 'Ada Admin', PASSWORD);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/login'));

  await signIn(page, testInfo, tenant.slug, tenant.adminEmail, 'not the password');

  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/don.t match/);
  await expect(page.getByLabel('Email')).toHaveValue(tenant.adminEmail);
});

test('a person who is not a member gets the same answer as a wrong password', async ({ page }, testInfo) => {
  const home = await provisionTenant('Home Ltd');
  const elsewhere = await provisionTenant('Elsewhere Ltd');
  await acceptInvite(page, testInfo, home, 'Ada Admin', PASSWORD);

  await signIn(page, testInfo, elsewhere.slug, home.adminEmail, PASSWORD);

  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(
    "That email and password don't match an account of this workspace.");
});

test('signing in to a workspace keeps you out of the others', async ({ page }, testInfo) => {
  const home = await provisionTenant('Home Ltd');
  const elsewhere = await provisionTenant('Elsewhere Ltd');
  await acceptInvite(page, testInfo, home);

  await page.goto(tenantUrl(elsewhere.slug, '/leads'));

  await expect(page).toHaveURL(tenantUrl(elsewhere.slug, '/login'));
});

test('a person who already has an account accepts an invite with its password', async ({ page, browser }, testInfo) => {
  const first = await provisionTenant('First Firm');
  await acceptInvite(page, testInfo, first, 'Ada Admin', PASSWORD);
  const second = await hcrm('provision-tenant', `${first.slug}-two`, 'Second Firm', first.adminEmail);
  expect(second.code, second.stderr).toBe(0);
  const invite = second.stdout.match(/Admin invite:\s+(\S+)/)![1];

  const other = await browser.newPage({ javaScriptEnabled: testInfo.project.use.javaScriptEnabled });
  await other.goto(invite);
  await ready(other, testInfo);
  await expect(other.getByText('You already have an HREF CRM account')).toBeVisible();
  await expect(other.getByLabel('Your name')).toHaveCount(0);
  await other.getByLabel('Password').fill('not my password');
  await other.getByRole('button', { name: 'Accept invite' }).click();
  await expect(other.getByLabel('Password')).toHaveAccessibleDescription(/not the password/);

  await other.getByLabel('Password').fill(PASSWORD);
  await other.getByRole('button', { name: 'Accept invite' }).click();
  await expect(other).toHaveURL(tenantUrl(`${first.slug}-two`, '/leads'));
  await expect(other.getByText('Ada Admin')).toBeVisible();
  await other.close();
});
