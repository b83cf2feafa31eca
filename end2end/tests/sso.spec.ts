// Single sign-on against the test identity provider (npm's oidc-provider, idp/server.mjs):
// an admin connects it from Settings alone, people sign in on the provider's own login page
// and join, Require SSO refuses members' passwords and keeps the admins' (break-glass).
import type { Browser, Page, TestInfo } from '@playwright/test';
import {
  expect, test, PASSWORD, acceptInvite, emailedLink, openSettings, ready, signedInAdmin, tenantUrl,
  uniqueSlug, type Tenant,
} from './support';
import { addTxt } from './edge';
import { IDP_A, IDP_DOMAIN, IDP_PASSWORD, registerClient } from './idp';

const SECRET = 'sso-e2e-secret-0123456789abcdef';

/** Connects `tenant` to IdP A from Settings → Single sign-on, and proves the email domain. */
async function connect(page: Page, testInfo: TestInfo, tenant: Tenant) {
  await registerClient(IDP_A, `crm-${tenant.slug}`, SECRET, tenantUrl(tenant.slug, '/sso/callback'));
  await openSettings(page, testInfo, tenant.slug, 'sso');
  await expect(page.getByText(tenantUrl(tenant.slug, '/sso/callback'), { exact: true })).toBeVisible();
  await expect(page.getByLabel('Redirect URI')).toHaveText(tenantUrl(tenant.slug, '/sso/callback'));
  await expect(page.getByText(tenantUrl(tenant.slug, '/sso/back-channel-logout'), { exact: true })).toBeVisible();
  await page.getByLabel('Issuer URL').fill(IDP_A);
  await page.getByLabel('Client ID').fill(`crm-${tenant.slug}`);
  await page.getByLabel('Client secret').fill(SECRET);
  await page.getByLabel('Email domains').fill(IDP_DOMAIN);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Connection saved' })).toBeVisible();
  const value = (await page.getByText(/^hcrm-verify=/).textContent())!.trim();
  await addTxt(`_hcrm-challenge.${IDP_DOMAIN}`, value);
  await ready(page, testInfo);
  await page.getByRole('button', { name: `Verify ${IDP_DOMAIN}` }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Email domain proven' })).toBeVisible();
  // The page's names still find one element each once the connection is set (docs/product.md, "Forms").
  for (const name of ['Issuer URL', 'Client ID', 'Client secret', 'Email domains', 'Default role', 'Redirect URI']) {
    await expect(page.getByLabel(name)).toHaveCount(1);
  }
}

/** Signs `email` in with SSO in a browser of its own; the page, on the board. */
async function signInWithSso(browser: Browser, testInfo: TestInfo, tenant: Tenant, email: string): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: testInfo.project.use.javaScriptEnabled !== false });
  const page = await context.newPage();
  await page.goto(tenantUrl(tenant.slug, '/login'));
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'Sign in with SSO' }).click();
  await expect(page.getByRole('heading', { name: 'Acme IdP' })).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(IDP_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/leads'));
  return page;
}

test('an admin connects the provider from Settings and a new person joins by signing in there', async ({ page, browser }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await connect(page, testInfo, tenant);

  const alice = await signInWithSso(browser, testInfo, tenant, `alice@${IDP_DOMAIN}`);
  await alice.context().close();

  await openSettings(page, testInfo, tenant.slug, 'team');
  const row = page.getByRole('row').filter({ hasText: `alice@${IDP_DOMAIN}` });
  await expect(row).toContainText('Alice Anderson');
  await expect(row.getByRole('combobox')).toHaveValue('member');
});

test('Save refuses a bad connection on the field at fault and keeps what was typed', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'sso');
  const cases: [string, string, string, RegExp][] = [
    // issuer, email domains, the field at fault, what it says
    ['not a url', IDP_DOMAIN, 'Issuer URL', /Enter the issuer's URL/],
    ['http://127.0.0.1:9', IDP_DOMAIN, 'Issuer URL', /Could not reach the issuer's discovery document/],
    [IDP_A, 'gmail.com', 'Email domains', /public email service/],
  ];
  for (const [issuer, domains, field, message] of cases) {
    await page.getByLabel('Issuer URL').fill(issuer);
    await page.getByLabel('Client ID').fill('crm-bad-input');
    await page.getByLabel('Client secret').fill(SECRET);
    await page.getByLabel('Email domains').fill(domains);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByLabel(field)).toHaveAccessibleDescription(message);
    await expect(page.getByLabel(field)).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Issuer URL')).toHaveValue(issuer);
    await expect(page.getByLabel('Client ID')).toHaveValue('crm-bad-input');
    await expect(page.getByLabel('Email domains')).toHaveValue(domains);
    await ready(page, testInfo);
  }
  // Nothing was saved: no domain to prove.
  await expect(page.getByText(/^hcrm-verify=/)).toHaveCount(0);
});

test('an address the provider has not verified is refused with a clear page', async ({ page, browser }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await connect(page, testInfo, tenant);
  const context = await browser.newContext({ javaScriptEnabled: testInfo.project.use.javaScriptEnabled !== false });
  const carol = await context.newPage();
  await carol.goto(tenantUrl(tenant.slug, '/login'));
  await ready(carol, testInfo);
  await carol.getByRole('link', { name: 'Sign in with SSO' }).click();
  await carol.getByLabel('Email').fill(`carol@${IDP_DOMAIN}`);
  await carol.getByLabel('Password').fill(IDP_PASSWORD);
  await carol.getByRole('button', { name: 'Sign in' }).click();
  await expect(carol.getByRole('alert')).toContainText('not verified your email');
  // Laid out like the site's other message pages (its stylesheet loads), with the way back.
  await expect(carol.getByRole('heading', { name: 'Single sign-on did not work' })).toBeVisible();
  await expect(carol.locator('main')).toHaveCSS('text-align', 'center');
  await expect(carol.getByRole('link', { name: 'Back to sign in' })).toHaveAttribute('href', '/login');
  await context.close();
});

test('Require SSO refuses a member their password and keeps the admins in', async ({ page, browser }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await connect(page, testInfo, tenant);

  // A member with a password, from before.
  const dan = `${uniqueSlug('dan')}@${IDP_DOMAIN}`;
  await openSettings(page, testInfo, tenant.slug, 'team');
  await page.getByLabel('Email').fill(dan);
  await page.getByRole('button', { name: 'Send invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Invite sent.' })).toBeVisible();
  const danPage = await browser.newPage();
  await acceptInvite(danPage, testInfo, { ...tenant, inviteUrl: await emailedLink(dan, '/invite/') }, 'Dan Member', PASSWORD);
  await danPage.close();

  // Not before an admin has signed in with SSO.
  await openSettings(page, testInfo, tenant.slug, 'sso');
  await page.getByRole('button', { name: 'Require SSO' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Sign in with SSO as an admin once' }).first()).toBeVisible();

  // Bob, invited as an admin, signs in with SSO and requires it.
  await openSettings(page, testInfo, tenant.slug, 'team');
  await page.getByLabel('Email').fill(`bob@${IDP_DOMAIN}`);
  await page.getByLabel('Role').selectOption('admin');
  await page.getByRole('button', { name: 'Send invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Invite sent.' })).toBeVisible();
  const bob = await signInWithSso(browser, testInfo, tenant, `bob@${IDP_DOMAIN}`);
  await openSettings(bob, testInfo, tenant.slug, 'sso');
  await bob.getByRole('button', { name: 'Require SSO' }).click();
  await expect(bob.getByRole('status').filter({ hasText: 'SSO is required now' })).toBeVisible();
  await bob.context().close();

  // Dan's password is refused, pointing to SSO.
  const context = await browser.newContext({ javaScriptEnabled: testInfo.project.use.javaScriptEnabled !== false });
  const danAgain = await context.newPage();
  await danAgain.goto(tenantUrl(tenant.slug, '/login'));
  await ready(danAgain, testInfo);
  await danAgain.getByLabel('Email').fill(dan);
  await danAgain.getByLabel('Password').fill(PASSWORD);
  await danAgain.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(danAgain.getByRole('alert').filter({ hasText: 'Sign in with SSO' }).first()).toBeVisible();

  // The forgot-password page points members to SSO.
  await danAgain.goto(tenantUrl(tenant.slug, '/forgot-password'));
  await expect(danAgain.getByText('This workspace signs its members in with single sign-on')).toBeVisible();
  await danAgain.goto(tenantUrl(tenant.slug, '/login'));
  await ready(danAgain, testInfo);

  // The admin's password still works (break-glass), and Activity shows it.
  await danAgain.getByLabel('Email').fill(tenant.adminEmail);
  await danAgain.getByLabel('Password').fill(PASSWORD);
  await danAgain.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(danAgain).toHaveURL(tenantUrl(tenant.slug, '/leads'));
  await danAgain.goto(tenantUrl(tenant.slug, '/settings/activity'));
  await expect(danAgain.getByRole('table').getByText('Signed in with a password while SSO is required')).toBeVisible();
  await context.close();
});
