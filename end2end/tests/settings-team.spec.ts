// Settings → Team: invites (send, resend, revoke, accept), roles, removal, the last admin,
// and who may see Settings at all.
import {
  expect, hydrated, test, PASSWORD, emailedLink, openSettings, ready, request, signedInAdmin, tenantHost, tenantUrl,
  uniqueSlug,
} from './support';

test('an invite sent again has a new link, the old one is dead, and the new one is accepted', async ({ page, browser }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  const email = `${uniqueSlug('bob')}@example.com`;
  await openSettings(page, testInfo, tenant.slug, 'team');

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role').selectOption('member');
  await page.getByRole('button', { name: 'Send invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Invite sent.' })).toBeVisible();
  // The form is empty again for the next invite.
  await expect(page.getByLabel('Email')).toHaveValue('');
  const first = await emailedLink(email, '/invite/');
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toBeVisible();
  const before = await request(tenantHost(tenant.slug), 'GET', new URL(first).pathname);
  expect(before.body).toContain('Accept invite');

  await ready(page, testInfo);
  await row.getByRole('button', { name: 'Resend' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Invite sent again' })).toBeVisible();
  await expect.poll(async () => emailedLink(email, '/invite/')).not.toBe(first);
  const second = await emailedLink(email, '/invite/');

  const invited = await browser.newPage();
  const dead = await invited.goto(first);
  expect(dead?.status()).toBe(410);
  await expect(invited.getByRole('alert')).toContainText('not valid');
  await invited.goto(second);
  await invited.getByLabel('Your name').fill('Bob Member');
  await invited.getByLabel('Password').fill(PASSWORD);
  await invited.getByRole('button', { name: 'Accept invite' }).click();
  await expect(invited).toHaveURL(tenantUrl(tenant.slug, '/leads'));
  await invited.close();

  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: 'Bob Member' })).toContainText(email);
  await expect(page.getByText('No pending invites.')).toBeVisible();
  // Accepting an invite signs the person in, and the team shows when.
  for (const name of ['Ada Admin', 'Bob Member']) {
    await expect(page.getByRole('row').filter({ hasText: name })).not.toContainText('Never');
  }
});

test('a role chosen in the invite form stays when another change draws the team again', async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), 'without scripting each change loads the whole page');
  const tenant = await signedInAdmin(page, testInfo);
  const [first, second] = [uniqueSlug('ann'), uniqueSlug('ben')].map((name) => `${name}@example.com`);
  await openSettings(page, testInfo, tenant.slug, 'team');
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(first);
  await page.getByRole('button', { name: 'Send invite' }).click();
  const row = page.getByRole('row').filter({ hasText: first });
  await expect(row).toBeVisible();

  // The next invite is typed, then another invite revoked: the team is drawn again.
  await page.getByLabel('Email').fill(second);
  await page.getByLabel('Role').selectOption('admin');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByText('No pending invites.')).toBeVisible();

  await expect(page.getByLabel('Role')).toHaveValue('admin');
  await expect(page.getByLabel('Email')).toHaveValue(second);
  await page.getByRole('button', { name: 'Send invite' }).click();
  await expect(page.getByRole('row').filter({ hasText: second })).toContainText('Admin');
  await expect(page.getByLabel('Email')).toHaveValue('');
  await expect(page.getByLabel('Role')).toHaveValue('member');
});

test('a revoked invite stops working and frees its seat', async ({ page, browser }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  const email = `${uniqueSlug('eve')}@example.com`;
  await openSettings(page, testInfo, tenant.slug, 'team');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send invite' }).click();
  await expect(page.getByText('2 of 5 seats used')).toBeVisible();
  const link = await emailedLink(email, '/invite/');
  await ready(page, testInfo);

  await page.getByRole('row').filter({ hasText: email }).getByRole('button', { name: 'Revoke' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Invite revoked' })).toBeVisible();
  await expect(page.getByText('1 of 5 seats used')).toBeVisible();
  const stranger = await browser.newPage();
  expect((await stranger.goto(link))?.status()).toBe(410);
  await expect(stranger.getByRole('alert')).toContainText('withdrawn');
  await stranger.close();
});

test('the last admin can be neither demoted nor removed', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'team');
  const me = page.getByRole('row').filter({ hasText: tenant.adminEmail });

  await me.getByLabel('Access level of Ada Admin').selectOption('member');
  await me.getByRole('button', { name: 'Change role' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'only admin' })).toBeVisible();

  await openSettings(page, testInfo, tenant.slug, 'team');
  await page.getByRole('row').filter({ hasText: tenant.adminEmail }).getByRole('button', { name: 'Remove' }).click();
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Confirm: remove Ada Admin' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'only admin' })).toBeVisible();
  await page.goto(tenantUrl(tenant.slug, '/settings/team'));
  await expect(page.getByRole('row').filter({ hasText: tenant.adminEmail })).toContainText('Admin');
});

test('a member gets a 403 on Settings with the way back to the board; removed, their session ends', async ({ page, browser }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  const email = `${uniqueSlug('mia')}@example.com`;
  await openSettings(page, testInfo, tenant.slug, 'team');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send invite' }).click();
  const link = await emailedLink(email, '/invite/');
  const member = await browser.newPage();
  await member.goto(link);
  await member.getByLabel('Your name').fill('Mia Member');
  await member.getByLabel('Password').fill(PASSWORD);
  await member.getByRole('button', { name: 'Accept invite' }).click();
  await expect(member).toHaveURL(tenantUrl(tenant.slug, '/leads'));
  await expect(member.getByRole('link', { name: 'Settings' })).toHaveCount(0);

  const refused = await member.goto(tenantUrl(tenant.slug, '/settings/team'));
  expect(refused?.status()).toBe(403);
  await expect(member.getByRole('alert')).toContainText('admins');
  await member.getByRole('link', { name: 'Back to the pipeline' }).click();
  await expect(member).toHaveURL(tenantUrl(tenant.slug, '/leads'));

  await openSettings(page, testInfo, tenant.slug, 'team');
  await page.getByRole('row').filter({ hasText: email }).getByRole('button', { name: 'Remove' }).click();
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Confirm: remove Mia Member' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Member removed' })).toBeVisible();
  await member.goto(tenantUrl(tenant.slug, '/leads'));
  await expect(member).toHaveURL(/\/login/);
  await member.close();
});

test('a signed-out visitor is sent to sign in, and back to Settings', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/login'));

  await page.goto(tenantUrl(tenant.slug, '/settings/usage'));
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/login'));
  await ready(page, testInfo);
  await page.getByLabel('Email').fill(tenant.adminEmail);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/settings/usage'));
  await expect(page.getByRole('heading', { name: 'Usage' })).toBeVisible();
  await expect(page.getByText('1 of 5 seats used')).toBeVisible();
});
