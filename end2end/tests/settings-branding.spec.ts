// Settings → Branding: saved branding reaches the splash (escaped), bad colours and bad
// logos are refused by name while the other fields keep what was typed.
import { deflateSync } from 'node:zlib';
import {
  expect, test, hydrated, openSettings, ready, request, signedInAdmin, tenantHost, tenantUrl,
} from './support';

/** A valid PNG of `size` × `size` pixels, made here (no fixture files). */
function png(size: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; header[9] = 2; // 8-bit RGB
  const rows = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * (1 + size * 3) + 1 + x * 3;
      rows[i] = 200; rows[i + 1] = x % 256; rows[i + 2] = y % 256;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('saved branding shows to a stranger on the splash, escaped, with its colour and logo', async ({ page, browser }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'branding');
  const name = `Acme <script>alert(1)</script> & Co`;

  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Tagline').fill('Family law, <b>done kindly</b>');
  await page.getByLabel('Primary colour').fill('#7c3aed');
  await page.getByLabel('Logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(40) });
  await page.getByRole('button', { name: 'Save branding' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Branding saved' })).toBeVisible();

  const stranger = await browser.newPage();
  await stranger.goto(tenantUrl(tenant.slug));
  await expect(stranger.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(stranger.getByText('Family law, <b>done kindly</b>')).toBeVisible();
  expect(await stranger.locator('html').getAttribute('style')).toContain('--brand: #7c3aed');
  const logo = stranger.getByRole('img', { name: `${name} logo` });
  await expect(logo).toBeVisible();
  expect(await logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(40);
  const served = await request(tenantHost(tenant.slug), 'GET', '/brand/logo');
  expect(served.headers['content-type']).toBe('image/png');
  expect(served.headers['x-content-type-options']).toBe('nosniff');
  expect(served.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
  const etag = served.headers['etag'] as string;
  expect(etag).toMatch(/^"[0-9a-f]{24}"$/);
  const again = await request(tenantHost(tenant.slug), 'GET', '/brand/logo', { 'If-None-Match': etag });
  expect(again.status).toBe(304);
  await stranger.close();

  // The signed-in header shows the new name too.
  await page.goto(tenantUrl(tenant.slug, '/leads'));
  await expect(page.getByRole('banner')).toContainText(name);
});

const badLogos = [
  { what: 'an SVG', file: { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') }, rule: /PNG, JPEG or WebP/ },
  { what: 'a renamed text file', file: { name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all, just text') }, rule: /PNG, JPEG or WebP/ },
  { what: 'a 5 MB file', file: { name: 'big.png', mimeType: 'image/png', buffer: Buffer.concat([png(8), Buffer.alloc(5 * 1024 * 1024)]) }, rule: /at most 2 MB/ },
  { what: 'a truncated PNG', file: { name: 'cut.png', mimeType: 'image/png', buffer: png(64).subarray(0, 120) }, rule: /damaged or incomplete/ },
];

for (const bad of badLogos) {
  test(`${bad.what} as the logo is refused by its rule, and the other fields keep what was typed`, async ({ page }, testInfo) => {
    const tenant = await signedInAdmin(page, testInfo);
    await openSettings(page, testInfo, tenant.slug, 'branding');

    await page.getByLabel('Display name').fill('Kept Name Partners');
    await page.getByLabel('Tagline').fill('Kept tagline');
    await page.getByLabel('Logo').setInputFiles(bad.file);
    await page.getByRole('button', { name: 'Save branding' }).click();

    await expect(page.getByLabel('Logo')).toHaveAccessibleDescription(bad.rule);
    await expect(page.getByLabel('Display name')).toHaveValue('Kept Name Partners');
    await expect(page.getByLabel('Tagline')).toHaveValue('Kept tagline');
    await page.goto(tenantUrl(tenant.slug));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Family Law');
  });
}

test('a colour that is no hex colour is refused, and nothing is saved', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'branding');

  await page.getByLabel('Display name').fill('Colourful Partners');
  await page.getByLabel('Primary colour').fill('red;}</style>');
  await page.getByRole('button', { name: 'Save branding' }).click();

  await expect(page.getByLabel('Primary colour')).toHaveAccessibleDescription(/Use a hex colour like #2563eb/);
  await expect(page.getByLabel('Display name')).toHaveValue('Colourful Partners');
  await page.goto(tenantUrl(tenant.slug));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Family Law');
  expect(await page.locator('html').getAttribute('style')).toContain('--brand: #2563eb');
});

test('the preview follows what the admin types, and a hard-to-read colour is warned about', async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), 'the live preview needs scripting');
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'branding');
  const preview = page.getByRole('region', { name: 'Preview of the splash' });

  await page.getByLabel('Display name').fill('Preview Partners');
  await page.getByLabel('Primary colour').fill('#787878');

  await expect(preview).toContainText('Preview Partners');
  await expect(page.getByLabel('Primary colour')).toHaveAccessibleDescription(/4\.5:1/);
  await page.getByLabel('Primary colour').fill('#1d4ed8');
  await expect(page.getByLabel('Primary colour')).not.toHaveAccessibleDescription(/4\.5:1/);
  await expect(page.getByLabel('Colour picker')).toHaveValue('#1d4ed8');
});

test('a removed logo falls back to the monogram', async ({ page }, testInfo) => {
  const tenant = await signedInAdmin(page, testInfo);
  await openSettings(page, testInfo, tenant.slug, 'branding');
  await page.getByLabel('Logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(16) });
  await page.getByRole('button', { name: 'Save branding' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Branding saved' })).toBeVisible();
  await ready(page, testInfo);
  // The page's names still find one element each once a logo is set (docs/product.md, "Forms").
  for (const name of ['Display name', 'Tagline', 'Primary colour', 'Logo']) {
    await expect(page.getByLabel(name)).toHaveCount(1);
  }

  await page.getByLabel('Remove the current image').check();
  await page.getByRole('button', { name: 'Save branding' }).click();

  await expect(page.getByRole('img', { name: 'The current logo' })).toHaveCount(0);
  await expect(page.getByLabel('Remove the current image')).toHaveCount(0);
  const served = await request(tenantHost(tenant.slug), 'GET', '/brand/logo');
  expect(served.headers['content-type']).toBe('image/svg+xml');
});
