import {
  expect, test, APEX, fillSignup, hcrm, hydrated, mailTo, newSignup, postLead, provisionTenant,
  ready, signIn, signUp, tenantUrl, uniqueSlug,
} from './support';

test('signing up lands on the new workspace signed in, with the API key shown once', async ({ page }, testInfo) => {
  const signup = newSignup();

  await signUp(page, testInfo, signup);

  await expect(page.getByRole('heading', { name: `Welcome to ${signup.company}` })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'awaiting approval' })).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  const key = await page.getByLabel('API key').inputValue();
  expect(key).toMatch(/^hcrm_[A-Za-z0-9_-]{43}$/);
  await expect(page.locator('pre')).toContainText(key);
  await expect(page.getByRole('listitem').filter({ hasText: 'Create your workspace' })).toContainText('done');

  await page.reload();
  await expect(page.getByLabel('API key')).toHaveCount(0);
  await expect(page.getByText('shown once')).toBeVisible();

  const pending = await postLead(signup.subdomain, key, { email: 'lead@example.com' });
  expect(pending.status).toBe(403);
  expect(pending.body.error).toBe('tenant_pending');
  const approved = await hcrm('approve', signup.subdomain);
  expect(approved.code, approved.stderr).toBe(0);
  expect((await postLead(signup.subdomain, key, { email: 'lead@example.com' })).status).toBe(201);
});

test('approving a pending signup by CLI makes its splash live', async ({ page }, testInfo) => {
  const signup = newSignup({ company: 'Pending Partners' });
  await signUp(page, testInfo, signup);

  await page.goto(tenantUrl(signup.subdomain));
  await expect(page.getByRole('status')).toContainText('awaiting approval');
  await hcrm('approve', signup.subdomain);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pending Partners');
  await expect(page.getByText('awaiting approval')).toHaveCount(0);
});

test('?subdomain= pre-fills the subdomain', async ({ page }, testInfo) => {
  const wanted = uniqueSlug('pre');
  await page.goto(`/signup?subdomain=${wanted}`);
  await ready(page, testInfo);
  await expect(page.getByLabel('Subdomain')).toHaveValue(wanted);
  if (hydrated(testInfo)) {
    await expect(page.getByRole('status').filter({ hasText: 'available' })).toBeVisible();
  }
});

test('bad input names each field and its rule, and keeps what was typed', async ({ page }, testInfo) => {
  await page.goto('/signup');
  await ready(page, testInfo);
  await fillSignup(page, newSignup({ email: 'not-an-email', password: 'short', name: '' }));
  await page.getByRole('button', { name: 'Create workspace' }).click();

  await expect(page.getByLabel('Work email')).toHaveAccessibleDescription(/like name@example.com/);
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/at least 8 characters/);
  await expect(page.getByLabel('Your name')).toHaveAccessibleDescription(/required/);
  await expect(page.getByLabel('Company name')).toHaveValue('Acme Family Law');
  await expect(page.getByLabel('Work email')).toHaveValue('not-an-email');
});

test('a common password is refused with a reason', async ({ page }, testInfo) => {
  await page.goto('/signup');
  await ready(page, testInfo);
  await fillSignup(page, newSignup({ password: 'password123' }));
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/too common/);
});

test('a taken subdomain is refused on submit, with alternatives, and the input is kept', async ({ page }, testInfo) => {
  const taken = await provisionTenant();
  await page.goto('/signup');
  await ready(page, testInfo);
  await fillSignup(page, newSignup({ subdomain: taken.slug, company: 'Second Comer' }));
  await page.getByRole('button', { name: 'Create workspace' }).click();

  await expect(page.getByLabel('Subdomain')).toHaveAccessibleDescription(new RegExp(`${taken.slug}\\.${APEX.replace('.', '\\.')} is taken\\. Try`));
  await expect(page.getByLabel('Company name')).toHaveValue('Second Comer');
  await expect(page.getByLabel('Subdomain')).toHaveValue(taken.slug);
});

test('without a subdomain, one is made from the company name', async ({ page }, testInfo) => {
  test.skip(hydrated(testInfo), 'with scripting on the field is filled as you type');
  const company = `Zed ${uniqueSlug('co')}`;
  await page.goto('/signup');
  await page.getByLabel('Company name').fill(company);
  await page.getByLabel('Subdomain').fill('');
  await page.getByLabel('Your name').fill('Zed');
  await page.getByLabel('Work email').fill(`${uniqueSlug('z')}@example.com`);
  await page.getByLabel('Password').fill('violet tugboat orchard');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(tenantUrl(company.toLowerCase().replace(/ /g, '-'), '/welcome'));
});

test('the verification link from the mailbox verifies the email', async ({ page }, testInfo) => {
  const signup = newSignup();
  await signUp(page, testInfo, signup);
  await expect(page.getByText('not verified yet')).toBeVisible();

  const [mail] = (await mailTo(signup.email)).filter((m) => m.subject.startsWith('Verify your email'));
  const link = mail.text.match(/(http:\/\/\S+\/verify\/\S+)/)![1];
  expect(link.startsWith(tenantUrl(signup.subdomain, '/verify/'))).toBe(true);
  await page.goto(link);
  await expect(page.getByRole('status')).toContainText('Your email is verified');

  await page.goto(tenantUrl(signup.subdomain, '/welcome'));
  await expect(page.getByText(`Your email ${signup.email} is verified.`)).toBeVisible();
  await page.goto(link);
  await expect(page.getByText('already used')).toBeVisible();
});

test('staff hear of each new pending signup', async ({ page }, testInfo) => {
  const staff = `${uniqueSlug('staff')}@href.example.com`;
  expect((await hcrm('create-staff', staff)).code).toBe(0);
  const signup = newSignup({ company: 'Noticed Ltd' });

  await signUp(page, testInfo, signup);

  const notices = (await mailTo(staff)).filter((m) => m.subject.includes(`(${signup.subdomain})`));
  expect(notices).toHaveLength(1);
  expect(notices[0].text).toContain(`cargo hcrm approve ${signup.subdomain}`);
});

test('an email that already has an account joins with that account’s password', async ({ page, browser }, testInfo) => {
  const first = newSignup();
  await signUp(page, testInfo, first);

  const second = newSignup({ email: first.email, password: 'not the right one', company: 'Second Shop' });
  const other = await browser.newPage({ javaScriptEnabled: hydrated(testInfo) });
  await other.goto(`http://${APEX}/signup`);
  await ready(other, testInfo);
  await fillSignup(other, second);
  await other.getByRole('button', { name: 'Create workspace' }).click();
  await expect(other.getByLabel('Password')).toHaveAccessibleDescription(/already has an HREF CRM account/);

  await other.getByLabel('Password').fill(first.password);
  await other.getByRole('button', { name: 'Create workspace' }).click();
  await expect(other).toHaveURL(tenantUrl(second.subdomain, '/welcome'));
  await expect(other.getByRole('heading', { name: 'Welcome to Second Shop' })).toBeVisible();
  await other.close();

  // One account, a member of both: its password signs in to the second workspace too.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page, testInfo, second.subdomain, first.email, first.password);
  await expect(page).toHaveURL(tenantUrl(second.subdomain, '/leads'));
});
