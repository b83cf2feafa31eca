// How pages look where a test can tell: nothing wider than a phone, and text readable on
// its background.
import {
  expect, test, holdRequests, hydrated, openSettings, postLead, ready, signedInAdmin, signedInStaff, tenantUrl,
} from './support';
import type { Page } from '@playwright/test';

const PHONE = { width: 390, height: 844 };

test('no page is wider than a phone; wide tables scroll inside their panel', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await postLead(tenant.slug, tenant.apiKey, { first_name: 'Wide', email: 'wide@example.com' });
  await page.setViewportSize(PHONE);
  const areas = ['branding', 'domains', 'team', 'pipeline', 'api', 'sso', 'activity', 'usage'];
  for (const path of ['/leads', ...areas.map((a) => `/settings/${a}`)]) {
    await page.goto(tenantUrl(tenant.slug, path));
    await ready(page, testInfo);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${path} is ${width} px wide`).toBeLessThanOrEqual(PHONE.width);
  }
  // The members' table is wider than the phone: it scrolls on its own.
  await openSettings(page, testInfo, tenant.slug, 'team');
  const scroller = page.locator('.table-scroll').filter({ has: page.getByRole('columnheader', { name: 'Last sign-in' }) });
  expect(await scroller.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
});

test('no console page is wider than a phone', async ({ page }, testInfo) => {
  await signedInStaff(page, testInfo);
  await page.setViewportSize(PHONE);
  for (const path of ['/admin', '/admin/new', '/admin/audit', '/admin/outbox', '/admin/staff', '/admin/account']) {
    await page.goto(path);
    await ready(page, testInfo);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${path} is ${width} px wide`).toBeLessThanOrEqual(PHONE.width);
  }
});

/** WCAG's contrast ratio of two CSS colours `rgb(r, g, b)`. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl] = css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test("the console's navigation is readable on its dark bar, the current area too", async ({ page }, testInfo) => {
  await signedInStaff(page, testInfo);
  await page.goto('/admin/audit');
  await ready(page, testInfo);
  const nav = page.getByRole('navigation', { name: 'Console' });
  const background = await page.locator('header.console-bar').evaluate((e) => getComputedStyle(e).backgroundColor);
  const links = nav.getByRole('link');
  await expect(links).toHaveCount(6);
  await expect(nav.getByRole('link', { name: 'Audit' })).toHaveAttribute('aria-current', 'page');
  for (const link of await links.all()) {
    const colour = await link.evaluate((e) => getComputedStyle(e).color);
    const name = await link.textContent();
    expect(contrast(colour, background), `${name}: ${colour} on ${background}`).toBeGreaterThanOrEqual(4.5);
  }
});

/** Holds every server function call of `page` until the returned function is called. */
const holdServerFunctions = (page: Page) => holdRequests(page, '**/fn/**');

test('while the next Settings area or console page loads, its navigation stays in place', async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), 'without scripting every link loads a whole page');
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'branding');
  const settings = page.getByRole('navigation', { name: 'Settings' });
  let release = await holdServerFunctions(page);
  await settings.getByRole('link', { name: 'Team' }).click();
  await expect(page.getByText('Loading…')).toBeVisible();
  await expect(settings.getByRole('link', { name: 'Team' })).toHaveAttribute('aria-current', 'page');
  release();
  await expect(page.getByRole('heading', { name: 'Team' })).toBeVisible();
  await page.unrouteAll();

  await signedInStaff(page, testInfo);
  const console = page.getByRole('navigation', { name: 'Console' });
  release = await holdServerFunctions(page);
  await console.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByText('Loading…')).toBeVisible();
  await expect(console.getByRole('link', { name: 'Audit' })).toHaveAttribute('aria-current', 'page');
  release();
  await expect(page.getByRole('heading', { name: 'Audit' })).toBeVisible();
});
