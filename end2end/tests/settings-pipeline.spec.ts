// Settings → Pipeline: add, refuse a duplicate name, reorder, delete with its leads moved,
// and the board after each.
import {
  expect, hydrated, test, openSettings, postLead, ready, signedInAdmin, tenantUrl,
} from './support';

test('stages are added, kept unique, reordered and deleted, and the board follows', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  for (const email of ['one@example.com', 'two@example.com']) {
    expect((await postLead(tenant.slug, tenant.apiKey, { email })).status).toBe(201);
  }
  await openSettings(page, testInfo, tenant.slug, 'pipeline');
  const add = page.getByRole('region', { name: 'Add a stage' });

  // Add.
  await add.getByLabel('Name').fill('Proposal');
  await add.getByLabel('Type').selectOption('active');
  await add.getByRole('button', { name: 'Add stage' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Stage added' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Proposal' })).toBeVisible();
  // The form is empty again for the next stage.
  await expect(add.getByLabel('Name')).toHaveValue('');
  await page.goto(tenantUrl(tenant.slug, '/leads'));
  await expect(page.getByRole('region', { name: 'Proposal' })).toBeVisible();

  // A duplicate, ignoring case.
  await openSettings(page, testInfo, tenant.slug, 'pipeline');
  await page.getByRole('region', { name: 'Add a stage' }).getByLabel('Name').fill('won');
  await page.getByRole('region', { name: 'Add a stage' }).getByLabel('Type').selectOption('lost');
  await page.getByRole('region', { name: 'Add a stage' }).getByRole('button', { name: 'Add stage' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'already a stage named' })).toBeVisible();
  // The refused form keeps what was typed and chosen.
  await expect(page.getByRole('region', { name: 'Add a stage' }).getByLabel('Name')).toHaveValue('won');
  await expect(page.getByRole('region', { name: 'Add a stage' }).getByLabel('Type')).toHaveValue('lost');

  // Reorder: Proposal moves up twice, before Won.
  await openSettings(page, testInfo, tenant.slug, 'pipeline');
  const legends = page.locator('fieldset legend');
  await expect(legends).toHaveText(['New', 'Contacted', 'Qualified', 'Won', 'Lost', 'Proposal']);
  await page.getByRole('group', { name: 'Proposal' }).getByRole('button', { name: 'Move up' }).click();
  await expect(legends).toHaveText(['New', 'Contacted', 'Qualified', 'Won', 'Proposal', 'Lost']);
  await ready(page, testInfo);
  await page.getByRole('group', { name: 'Proposal' }).getByRole('button', { name: 'Move up' }).click();
  await expect(legends).toHaveText(['New', 'Contacted', 'Qualified', 'Proposal', 'Won', 'Lost']);
  await expect(page.getByRole('status').filter({ hasText: 'Stage moved' })).toBeVisible();
  await page.goto(tenantUrl(tenant.slug, '/leads'));
  await expect(page.locator('.column h2')).toHaveText(['New', 'Contacted', 'Qualified', 'Proposal', 'Won', 'Lost']);

  // Delete New, which holds the two leads: they move to Qualified.
  await openSettings(page, testInfo, tenant.slug, 'pipeline');
  const stage = page.getByRole('group', { name: 'New' });
  await stage.getByRole('button', { name: 'Delete' }).click();
  await ready(page, testInfo);
  // The stage's group is still the one group of that name while it asks.
  await stage.getByLabel('Move leads to').selectOption({ label: 'Qualified' });
  await stage.getByRole('button', { name: 'Confirm: delete New' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Stage deleted' })).toBeVisible();
  await page.goto(tenantUrl(tenant.slug, '/leads'));
  await expect(page.locator('.column h2')).toHaveText(['Contacted', 'Qualified', 'Proposal', 'Won', 'Lost']);
  const qualified = page.getByRole('region', { name: 'Qualified' });
  await expect(qualified.getByRole('article')).toHaveCount(2);

  // New leads now land in the first active stage, Contacted.
  expect((await postLead(tenant.slug, tenant.apiKey, { email: 'three@example.com' })).body.stage).toBe('Contacted');
});

test('a stage is renamed and retyped, and the last active stage cannot be retyped away', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'pipeline');

  const contacted = page.getByRole('group', { name: 'Contacted' });
  await contacted.getByLabel('Name').fill('Called back');
  await contacted.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Stage saved' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Called back' })).toBeVisible();

  for (const name of ['New', 'Called back']) {
    await ready(page, testInfo);
    const group = page.getByRole('group', { name });
    await group.getByLabel('Type').selectOption('won');
    // The status line already says "Stage saved" from the last save: wait for this one's
    // answer, and for the list drawn again from the saved stages (the `selected` attribute,
    // which choosing an option does not set, moves to Won), before the next change.
    const saved = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/fn/'));
    await group.getByRole('button', { name: 'Save' }).click();
    expect((await saved).status()).toBeLessThan(400);
    await expect(page.getByRole('group', { name }).locator('option[value="won"][selected]')).toHaveCount(1);
    await expect(page.getByRole('status').filter({ hasText: 'Stage saved' })).toBeVisible();
  }
  await ready(page, testInfo);
  const last = page.getByRole('group', { name: 'Qualified' });
  await last.getByLabel('Type').selectOption('lost');
  await last.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'at least one active stage' })).toBeVisible();
  await expect(last.getByLabel('Type')).toHaveValue('lost');
});

test('what was chosen and typed in one stage stays when another stage is saved', async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), 'without scripting each save loads the whole page');
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'pipeline');
  await ready(page, testInfo);
  const contacted = page.getByRole('group', { name: 'Contacted' });
  const qualified = page.getByRole('group', { name: 'Qualified' });
  await qualified.getByLabel('Type').selectOption('won');
  await qualified.getByLabel('Name').fill('Signed');

  // Saving another stage draws the list again from the saved stages.
  await contacted.getByLabel('Name').fill('Called back');
  await contacted.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('group', { name: 'Called back' })).toBeVisible();
  await expect(qualified.getByLabel('Type')).toHaveValue('won');
  await expect(qualified.getByLabel('Name')).toHaveValue('Signed');

  await qualified.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('group', { name: 'Signed' }).locator('option[value="won"][selected]')).toHaveCount(1);
});

test('what was typed into one stage stays in its form when stages move', async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), 'without scripting each move loads the whole page');
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'pipeline');
  await ready(page, testInfo);
  await page.getByRole('group', { name: 'Qualified' }).getByLabel('Name').fill('Signed');

  await page.getByRole('group', { name: 'Contacted' }).getByRole('button', { name: 'Move down' }).click();
  await expect(page.locator('fieldset legend')).toHaveText(['New', 'Qualified', 'Contacted', 'Won', 'Lost']);
  await expect(page.getByRole('group', { name: 'Qualified' }).getByLabel('Name')).toHaveValue('Signed');
  await expect(page.getByRole('group', { name: 'Contacted' }).getByLabel('Name')).toHaveValue('Contacted');
});

test('a stage is moved by keyboard, and the focus stays on it to move it again', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'pipeline');
  const legends = page.locator('fieldset legend');
  await expect(legends).toHaveText(['New', 'Contacted', 'Qualified', 'Won', 'Lost']);

  await page.getByRole('group', { name: 'Lost' }).getByRole('button', { name: 'Move up' }).focus();
  await page.keyboard.press('Enter');
  await expect(legends).toHaveText(['New', 'Contacted', 'Qualified', 'Lost', 'Won']);
  await ready(page, testInfo);
  await expect(page.getByRole('group', { name: 'Lost' }).getByRole('button', { name: 'Move up' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(legends).toHaveText(['New', 'Contacted', 'Lost', 'Qualified', 'Won']);
});
