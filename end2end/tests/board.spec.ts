import { expect, test, acceptInvite, hydrated, postLead, provisionTenant, ready, tenantUrl } from './support';

test('signed-out visitors are sent to sign in', async ({ page }) => {
  const tenant = await provisionTenant();
  await page.goto(tenantUrl(tenant.slug, '/leads'));
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/login'));
});

test('the board shows one column per stage, in order, and says when it is empty', async ({ page }, testInfo) => {
  const tenant = await provisionTenant();
  await acceptInvite(page, testInfo, tenant);

  const columns = page.getByRole('region');
  await expect(columns).toHaveCount(5);
  for (const [i, name] of ['New', 'Contacted', 'Qualified', 'Won', 'Lost'].entries()) {
    await expect(columns.nth(i).getByRole('heading', { level: 2 })).toHaveText(name);
  }
  await expect(page.getByRole('heading', { name: 'No leads yet' })).toBeVisible();
});

test('leads posted with the API key appear on the board, newest first', async ({ page }, testInfo) => {
  const tenant = await provisionTenant();
  await acceptInvite(page, testInfo, tenant);

  const first = await postLead(tenant.slug, tenant.apiKey, { first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com', source: 'website' });
  const second = await postLead(tenant.slug, tenant.apiKey, { first_name: 'Alan', phone: '+44 20 7946 0000', company: 'Bletchley' });
  expect(first.status).toBe(201);
  expect(first.body.stage).toBe('New');
  expect(second.status).toBe(201);
  await page.reload();

  const cards = page.getByRole('region', { name: 'New' }).getByRole('article');
  await expect(cards).toHaveCount(2);
  await expect(cards.nth(0)).toHaveAccessibleName('Alan');
  await expect(cards.nth(1)).toHaveAccessibleName('Grace Hopper');
  await expect(cards.nth(0)).toContainText('Bletchley');
  await expect(cards.nth(0).getByRole('link', { name: '+44 20 7946 0000' })).toHaveAttribute('href', 'tel:+442079460000');
  await expect(cards.nth(1).getByRole('link', { name: 'grace@example.com' })).toHaveAttribute('href', 'mailto:grace@example.com');
  await expect(cards.nth(1)).toContainText('From website');
});

test('a lead can be moved to another stage', async ({ page }, testInfo) => {
  const tenant = await provisionTenant();
  await acceptInvite(page, testInfo, tenant);
  await postLead(tenant.slug, tenant.apiKey, { first_name: 'Grace', email: 'grace@example.com' });
  await page.reload();
  await ready(page, testInfo);

  const card = page.getByRole('article', { name: 'Grace' });
  await card.getByLabel('Stage for Grace').selectOption('Qualified');
  await card.getByRole('button', { name: 'Move' }).click();

  await expect(page.getByRole('region', { name: 'Qualified' }).getByRole('article', { name: 'Grace' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'New' }).getByRole('article')).toHaveCount(0);
});

test('with scripting on, moving a lead updates the board in place', async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), 'this checks the hydrated app');
  const tenant = await provisionTenant();
  await acceptInvite(page, testInfo, tenant);
  await postLead(tenant.slug, tenant.apiKey, { first_name: 'Grace', email: 'grace@example.com' });
  await page.reload();
  await ready(page, testInfo);
  await page.evaluate(() => ((window as any).__samePage = true));

  const card = page.getByRole('article', { name: 'Grace' });
  await card.getByLabel('Stage for Grace').selectOption('Won');
  await card.getByRole('button', { name: 'Move' }).click();

  await expect(page.getByRole('region', { name: 'Won' }).getByRole('article', { name: 'Grace' })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);
});
