import type { Page, TestInfo } from '@playwright/test';
import { expect, test, acceptInvite, hydrated, postLead, provisionTenant, ready, tenantUrl } from './support';

/** A new workspace's board, signed in, with one lead per name (posted in that order). */
async function boardWith(page: Page, testInfo: TestInfo, names: string[]) {
  const tenant = await provisionTenant();
  await acceptInvite(page, testInfo, tenant);
  for (const name of names) {
    const posted = await postLead(tenant.slug, tenant.apiKey, { first_name: name, email: `${name.toLowerCase()}@example.com` });
    expect(posted.status).toBe(201);
  }
  await page.reload();
  await ready(page, testInfo);
  return tenant;
}

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

test('ticked leads move together with the board\'s one stage picker', async ({ page }, testInfo) => {
  await boardWith(page, testInfo, ['Grace', 'Alan', 'Ada']);

  await expect(page.getByLabel('Move selected to')).toHaveCount(1);
  await page.getByLabel('Select Grace').check();
  await page.getByLabel('Select Alan').check();
  await page.getByLabel('Move selected to').selectOption('Qualified');
  await page.getByRole('button', { name: 'Move', exact: true }).click();

  const qualified = page.getByRole('region', { name: 'Qualified' });
  await expect(qualified.getByRole('article', { name: 'Grace' })).toBeVisible();
  await expect(qualified.getByRole('article', { name: 'Alan' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'New' }).getByRole('article')).toHaveCount(1);
  await expect(page.getByRole('region', { name: 'New' }).getByRole('article', { name: 'Ada' })).toBeVisible();
});

test('after a move the ticks stay with their leads', async ({ page }, testInfo) => {
  await boardWith(page, testInfo, ['Grace', 'Alan', 'Ada']);

  // Ada is the newest, at the top of New; Alan is next.
  await page.getByLabel('Select Ada').check();
  await page.getByLabel('Move selected to').selectOption('Qualified');
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Qualified' }).getByRole('article', { name: 'Ada' })).toBeVisible();

  for (const name of ['Ada', 'Alan', 'Grace']) {
    await expect(page.getByLabel(`Select ${name}`)).not.toBeChecked();
  }
});

test('moving with nothing ticked says what to do and moves nothing', async ({ page }, testInfo) => {
  await boardWith(page, testInfo, ['Grace']);

  await page.getByLabel('Move selected to').selectOption('Won');
  await page.getByRole('button', { name: 'Move', exact: true }).click();

  await expect(page.getByRole('alert')).toContainText('Select the leads to move');
  await expect(page.getByRole('region', { name: 'New' }).getByRole('article', { name: 'Grace' })).toBeVisible();
  await expect(page.getByLabel('Move selected to').locator('option:checked')).toHaveText('Won');
});

test('a long column shows its newest cards and pages on with Show more', async ({ page }, testInfo) => {
  const tenant = await provisionTenant();
  await acceptInvite(page, testInfo, tenant);
  for (let i = 1; i <= 23; i++) {
    const posted = await postLead(tenant.slug, tenant.apiKey, { first_name: `Lead ${i}`, email: `lead${i}@example.com` });
    expect(posted.status).toBe(201);
  }
  await page.reload();
  await ready(page, testInfo);

  const column = page.getByRole('region', { name: 'New' });
  await expect(column.getByLabel('23 leads')).toBeVisible();
  await expect(column.getByRole('article')).toHaveCount(20);
  await expect(column.getByRole('article').first()).toHaveAccessibleName('Lead 23');
  await page.getByLabel('Select Lead 23', { exact: true }).check();
  await column.getByRole('link', { name: 'Show more' }).click();

  await expect(column.getByRole('article')).toHaveCount(3);
  // The ticked card went off the page with its tick, which no older card took over.
  await expect(column.getByRole('checkbox', { checked: true })).toHaveCount(0);
  await expect(column.getByRole('article').first()).toHaveAccessibleName('Lead 3');
  await expect(column.getByRole('article').last()).toHaveAccessibleName('Lead 1');
  await expect(column.getByRole('link', { name: 'Show more' })).toHaveCount(0);
  await column.getByRole('link', { name: 'Back to newest' }).click();
  await expect(column.getByRole('article')).toHaveCount(20);
});

test('with scripting on, moving a lead updates the board in place', async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), 'this checks the hydrated app');
  await boardWith(page, testInfo, ['Grace']);
  await page.evaluate(() => ((window as any).__samePage = true));

  await page.getByLabel('Select Grace').check();
  await page.getByLabel('Move selected to').selectOption('Won');
  await page.getByRole('button', { name: 'Move', exact: true }).click();

  await expect(page.getByRole('region', { name: 'Won' }).getByRole('article', { name: 'Grace' })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);
});
