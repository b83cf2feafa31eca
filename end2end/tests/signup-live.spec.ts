// The live parts of signup: they need scripting, so they run in the hydrated project.
import { expect, test, APEX, hcrm, hydrated, fillSignup, newSignup, provisionTenant, ready, signUp, tenantUrl, uniqueSlug } from './support';

test.beforeEach(async ({}, testInfo) => {
  test.skip(!hydrated(testInfo), 'live checks need scripting');
});

test('the subdomain follows the company name until the person edits it', async ({ page }, testInfo) => {
  await page.goto('/signup');
  await ready(page, testInfo);

  await page.getByLabel('Company name').fill('Acme Family Law');
  await expect(page.getByLabel('Subdomain')).toHaveValue('acme-family-law');
  await expect(page.getByText(`http://acme-family-law.${APEX}/`)).toBeVisible();

  await page.getByLabel('Subdomain').fill('my-acme');
  await page.getByLabel('Company name').fill('Acme Family Law and Sons');
  await expect(page.getByLabel('Subdomain')).toHaveValue('my-acme');
});

test('the availability check answers available, taken, reserved, quarantined and invalid', async ({ page }, testInfo) => {
  const taken = await provisionTenant();
  const deleted = await provisionTenant();
  expect((await hcrm('delete-tenant', deleted.slug, '--yes')).code).toBe(0);
  await page.goto('/signup');
  await ready(page, testInfo);
  const field = page.getByLabel('Subdomain');
  const status = page.locator('#field-subdomain-status');
  await expect(status).toHaveAttribute('role', 'status');

  const free = uniqueSlug('free');
  for (const [input, expected] of [
    [free, `${free}.${APEX} is available.`],
    [taken.slug, 'is taken'],
    ['admin', 'reserved'],
    [deleted.slug, 'quarantined'],
    ['-nope', 'hyphen'],
    ['ab', 'at least 3'],
    ['no spaces', 'found a space'],
  ]) {
    await field.fill(input);
    await expect(status).toContainText(expected);
  }
  await field.fill(taken.slug);
  await expect(page.locator('.suggestion')).toHaveCount(3);
});

test('clicking a suggestion fills the field with an available name', async ({ page }, testInfo) => {
  const taken = await provisionTenant();
  await page.goto('/signup');
  await ready(page, testInfo);
  await page.getByLabel('Subdomain').fill(taken.slug);
  const suggestion = page.getByRole('button', { name: `${taken.slug}-hq` });

  await suggestion.click();

  await expect(page.getByLabel('Subdomain')).toHaveValue(`${taken.slug}-hq`);
  await expect(page.getByRole('status').filter({ hasText: 'available' })).toBeVisible();
});

test('the latest answer wins when the person types on', async ({ page }, testInfo) => {
  const taken = await provisionTenant();
  await page.goto('/signup');
  await ready(page, testInfo);
  const field = page.getByLabel('Subdomain');
  const free = uniqueSlug('late');

  await field.pressSequentially(taken.slug, { delay: 5 });
  await field.fill(free);

  await expect(page.locator('#field-subdomain-status')).toContainText(`${free}.${APEX} is available.`);
  await page.waitForTimeout(800);
  await expect(page.locator('#field-subdomain-status')).toContainText('available');
});

test('the password gets a live strength hint', async ({ page }, testInfo) => {
  await page.goto('/signup');
  await ready(page, testInfo);
  await page.getByLabel('Password').fill('password1');
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/too common/);
  await page.getByLabel('Password').fill('violet tugboat orchard');
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/Strong enough/);
});

test('ten simultaneous signups for one subdomain make exactly one workspace', async ({ browser }, testInfo) => {
  // Ten browser pages on a two-core machine. They are filled in one after another (ten
  // pages hydrating at once starve each other of CPU for most of a minute) and submitted
  // all at once: the race is on the server.
  test.slow();
  const contested = uniqueSlug('race');
  const attempts = [];
  for (let i = 0; i < 10; i++) {
    const context = await browser.newContext({
      extraHTTPHeaders: { 'X-Forwarded-For': `10.77.${i}.${1 + Math.floor(Math.random() * 250)}` },
    });
    const page = await context.newPage();
    const signup = newSignup({ subdomain: contested, email: `racer${i}@${contested}.example.com`, company: `Racer ${i}` });
    await page.goto('/signup');
    await ready(page, testInfo);
    await fillSignup(page, signup);
    attempts.push({ context, page, signup });
  }

  await Promise.all(attempts.map(({ page }) => page.getByRole('button', { name: 'Create workspace' }).click()));
  const outcomes = await Promise.all(attempts.map(async ({ page }) => {
    const won = tenantUrl(contested, '/welcome');
    await expect(page.getByText(/Welcome to|is taken/).first()).toBeVisible({ timeout: 30_000 });
    return page.url() === won;
  }));

  expect(outcomes.filter(Boolean)).toHaveLength(1);
  for (const { page } of attempts.filter((_, i) => !outcomes[i])) {
    await expect(page.getByLabel('Subdomain')).toHaveAccessibleDescription(/is taken\. Try/);
    await expect(page.getByLabel('Company name')).toHaveValue(/Racer \d/);
  }
  // No account was left behind by a losing signup: its email signs up afresh, with no
  // question about an existing account's password.
  const loser = attempts.find((_, i) => !outcomes[i])!;
  await loser.page.getByLabel('Subdomain').fill(uniqueSlug('again'));
  const retry = loser.page.getByLabel('Subdomain');
  const fresh = await retry.inputValue();
  await loser.page.getByLabel('Password').fill(loser.signup.password);
  await loser.page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(loser.page).toHaveURL(tenantUrl(fresh, '/welcome'));
  await Promise.all(attempts.map(({ context }) => context.close()));
});

test('too many signups from one address are refused with a clear message', async ({ browser }, testInfo) => {
  const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': '10.250.1.1' } });
  const page = await context.newPage();
  for (let i = 0; i < 5; i++) {
    await signUp(page, testInfo, newSignup());
  }
  await page.goto('/signup');
  await ready(page, testInfo);
  const sixth = newSignup();
  await page.getByLabel('Company name').fill(sixth.company);
  await page.getByLabel('Subdomain').fill(sixth.subdomain);
  await page.getByLabel('Your name').fill(sixth.name);
  await page.getByLabel('Work email').fill(sixth.email);
  await page.getByLabel('Password').fill(sixth.password);
  await page.getByRole('button', { name: 'Create workspace' }).click();

  await expect(page.getByRole('alert').filter({ hasText: 'Too many signups from your network' })).toBeVisible();
  await expect(page.getByLabel('Company name')).toHaveValue(sixth.company);
  await context.close();
});

test('the API key can be copied with one click', async ({ page, context }, testInfo) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signUp(page, testInfo, newSignup());
  await ready(page, testInfo);
  const key = await page.getByLabel('API key').inputValue();

  await page.getByRole('button', { name: 'Copy' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
});
