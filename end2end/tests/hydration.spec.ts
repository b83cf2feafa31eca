// What a person types before the page has hydrated is kept when it does: every form whose
// inputs are bound to signals starts them from what is already in the field.
import {
  expect, test, holdHydration, hydrated, liveChecksAnswered, newSignup, ready, signedInAdmin, tenantUrl,
} from './support';

test('typing into signup before the page hydrates keeps every field, and the signup works', async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), 'without scripting there is no hydration to lose anything to');
  const release = await holdHydration(page);
  const signup = newSignup({ company: 'Slow Phone Partners' });

  await page.goto('/signup');
  await page.getByLabel('Company name').fill(signup.company);
  await page.getByLabel('Subdomain').fill(signup.subdomain);
  await page.getByLabel('Your name').fill(signup.name);
  await page.getByLabel('Work email').fill(signup.email);
  await page.getByLabel('Password').fill(signup.password);
  await expect(page.locator('html[data-hydrated]')).toHaveCount(0);
  release();
  await ready(page, testInfo);

  await expect(page.getByLabel('Company name')).toHaveValue(signup.company);
  await expect(page.getByLabel('Subdomain')).toHaveValue(signup.subdomain);
  await expect(page.getByLabel('Your name')).toHaveValue(signup.name);
  await expect(page.getByLabel('Work email')).toHaveValue(signup.email);
  await expect(page.getByLabel('Subdomain')).toHaveAccessibleDescription(/is available/);
  await liveChecksAnswered(page);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(tenantUrl(signup.subdomain, '/welcome'));
});

test('a company name typed before hydration still suggests the subdomain', async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), 'without scripting there is no hydration to lose anything to');
  const release = await holdHydration(page);

  await page.goto('/signup');
  await page.getByLabel('Company name').fill('Early Bird Law');
  release();
  await ready(page, testInfo);

  await expect(page.getByLabel('Company name')).toHaveValue('Early Bird Law');
  await expect(page.getByLabel('Subdomain')).toHaveValue('early-bird-law');
});

test('typing into Settings → Branding before the page hydrates keeps every field', async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), 'without scripting there is no hydration to lose anything to');
  const tenant = await signedInAdmin(page, testInfo);
  const release = await holdHydration(page);

  await page.goto(tenantUrl(tenant.slug, '/settings/branding'));
  await page.getByLabel('Display name').fill('Typed Early Partners');
  await page.getByLabel('Tagline').fill('Typed before the wasm');
  await page.getByLabel('Primary colour').fill('#0f766e');
  await expect(page.locator('html[data-hydrated]')).toHaveCount(0);
  release();
  await ready(page, testInfo);

  await expect(page.getByLabel('Display name')).toHaveValue('Typed Early Partners');
  await expect(page.getByLabel('Tagline')).toHaveValue('Typed before the wasm');
  await expect(page.getByLabel('Primary colour')).toHaveValue('#0f766e');
  await expect(page.getByRole('region', { name: 'Preview of the splash' })).toContainText('Typed Early Partners');
  await page.getByRole('button', { name: 'Save branding' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Branding saved' })).toBeVisible();
  await page.goto(tenantUrl(tenant.slug));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Typed Early Partners');
});
