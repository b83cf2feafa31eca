import { expect, test, acceptInvite, mailTo, provisionTenant, ready, tenantUrl, uniqueSlug, APEX } from './support';

test('a subdomain leads to its sign-in page', async ({ page }, testInfo) => {
  const tenant = await provisionTenant();
  await page.goto('/login');
  await ready(page, testInfo);
  await expect(page.getByLabel('Subdomain')).toHaveAccessibleDescription(`The first part of your workspace’s address, such as acme in acme.${APEX}.`);
  await page.getByLabel('Subdomain').fill(tenant.slug);
  await page.getByRole('button', { name: 'Go to sign-in' }).click();
  await expect(page).toHaveURL(tenantUrl(tenant.slug, '/login'));
});

test('an unknown subdomain is named as such', async ({ page }, testInfo) => {
  await page.goto('/login');
  await ready(page, testInfo);
  await page.getByLabel('Subdomain').fill(uniqueSlug('none'));
  await page.getByRole('button', { name: 'Go to sign-in' }).click();
  await expect(page.getByLabel('Subdomain')).toHaveAccessibleDescription(/There is no workspace at/);
});

test('an email gets the list of its workspaces, and the page answers the same for any email', async ({ page }, testInfo) => {
  const tenant = await provisionTenant('Listed Ltd');
  await acceptInvite(page, testInfo, tenant);
  const unknown = `${uniqueSlug('nobody')}@example.com`;

  const answers: string[] = [];
  for (const email of [tenant.adminEmail, unknown]) {
    await page.goto('/login');
    await ready(page, testInfo);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me my workspaces' }).click();
    await expect(page.getByRole('status')).toContainText('If that email belongs to any workspaces');
    answers.push(await page.locator('main').innerText());
  }

  expect(answers[0]).toBe(answers[1]);
  const [list] = (await mailTo(tenant.adminEmail)).filter((m) => m.subject === 'Your HREF CRM workspaces');
  expect(list.text).toContain(`Listed Ltd: ${tenantUrl(tenant.slug, '/login')}`);
  expect(await mailTo(unknown)).toEqual([]);
});
