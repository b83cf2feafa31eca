// Settings → Domains: bad input kept with its error, each answer of Verify, Verified,
// Make primary, and Remove after its confirm step. The TXT records live in the edge's DNS
// (pebble-challtestsrv), which the server asks (DNS_RESOLVER).
import { expect, test, openSettings, ready, signedInAdmin, tenantHost } from './support';
import { customDomain, setTxt } from './edge';

test('a domain that cannot be added is refused with its reason and stays in the field', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'domains');
  await expect(page.getByText('No domains yet.')).toBeVisible();

  const cases: [string, RegExp][] = [
    ['co.uk', /public suffix/],
    ['10.1.2.3', /IP address/],
    [`${tenant.slug}.localhost`, /one of our own addresses/],
    [`crm.${tenantHost(tenant.slug)}`, /without a port/],
    ['crm acme.com', /domain alone/],
  ];
  for (const [input, message] of cases) {
    await page.getByLabel('Domain').fill(input);
    await page.getByRole('button', { name: 'Add domain' }).click();
    await expect(page.getByRole('alert').filter({ hasText: message }).first()).toBeVisible();
    await expect(page.getByLabel('Domain')).toHaveValue(input);
    await ready(page, testInfo);
  }
  await expect(page.getByText('No domains yet.')).toBeVisible();
});

test('a domain goes from pending to verified by its TXT record, becomes primary, and is removed after confirming', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  const domain = customDomain(tenant.slug);
  const challenge = `_hcrm-challenge.${domain}`;
  await setTxt(challenge);
  await openSettings(page, testInfo, tenant.slug, 'domains');

  await page.getByLabel('Domain').fill(`https://${domain.toUpperCase()}/`);
  await page.getByRole('button', { name: 'Add domain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Domain added' })).toBeVisible();
  const panel = page.getByRole('region', { name: domain });
  await expect(panel).toContainText('Pending');
  await expect(page.getByLabel('Domain')).toHaveValue('');
  await expect(panel.getByText(challenge, { exact: true })).toBeVisible();
  await expect(panel).toContainText('CNAME');
  await expect(panel).toContainText('looked up again every day'); // DOMAIN_RECHECK's default
  const value = (await panel.getByText(/^hcrm-verify=/).textContent())!.trim();
  expect(value).toMatch(/^hcrm-verify=[0-9a-f]{32,}$/);

  // Nothing published yet.
  await ready(page, testInfo);
  await panel.getByRole('button', { name: 'Verify' }).click();
  await expect(panel.getByRole('status').filter({ hasText: `no TXT record at ${challenge}` })).toBeVisible();
  await expect(panel).toContainText('Pending');

  // Someone else's value.
  await setTxt(challenge, 'hcrm-verify=0123456789abcdef0123456789abcdef');
  await ready(page, testInfo);
  await panel.getByRole('button', { name: 'Verify' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'found a TXT record but not ours' })).toBeVisible();

  // Ours: seen at once.
  await setTxt(challenge, value);
  await ready(page, testInfo);
  await panel.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'opens this workspace now' })).toBeVisible();
  await expect(panel.getByText('Verified', { exact: true })).toBeVisible();

  await ready(page, testInfo);
  await panel.getByRole('button', { name: 'Make primary' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Primary domain set' })).toBeVisible();
  await expect(panel.getByText('Primary', { exact: true })).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Make primary' })).toHaveCount(0);

  // Remove asks first; Cancel keeps it.
  await ready(page, testInfo);
  await panel.getByRole('button', { name: 'Remove' }).click();
  const confirm = page.getByRole('group', { name: `Remove ${domain}?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('link', { name: 'Cancel' }).click();
  await expect(page.getByRole('group', { name: `Remove ${domain}?` })).toHaveCount(0);
  await expect(panel).toBeVisible();

  await ready(page, testInfo);
  await panel.getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('button', { name: `Confirm: remove ${domain}` }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Domain removed' })).toBeVisible();
  await expect(page.getByRole('region', { name: domain })).toHaveCount(0);
  await expect(page.getByText('No domains yet.')).toBeVisible();
});
