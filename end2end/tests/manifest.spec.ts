import { test, expect, chromium } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import config, { baseURL } from '../playwright.config';
import { ownServer, serveDuring } from './own_server';

// The site is installable: Chromium reads the web app manifest without errors and reports
// nothing that stops installing it; the favicon, manifest and icons are served to anyone.

type Icon = { src: string; sizes: string; type: string; purpose?: string };

test('Chromium finds the manifest valid and the app installable', async () => {
  // Installability is never reported in an off-the-record profile (Playwright's usual
  // contexts), so this test runs Chromium with a profile on disk.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'longbox-install-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...config.use?.launchOptions,
    baseURL,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const cdp = await context.newCDPSession(page);

    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.url).toBe(`${baseURL}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    const data = JSON.parse(manifest.data);
    expect(data.name).toBe('Longbox');
    expect(data.short_name).toBe('Longbox');
    expect(data.start_url).toBe('/');
    expect(data.display).toBe('standalone');
    expect(data.theme_color).toBe('#2f6fde');
    expect(data.background_color).toBe('#f6f7f9');
    const icons: Icon[] = data.icons;
    const sized = (s: string) => icons.filter((i) => i.sizes === s && i.type === 'image/png');
    expect(sized('192x192').map((i) => i.purpose)).toEqual(['any']);
    expect(sized('512x512').map((i) => i.purpose).sort()).toEqual(['any', 'maskable']);

    // Nothing stands in the way of installing it (no service worker needed any more).
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);

    // Every icon loads as an image of the size it declares.
    for (const icon of icons) {
      const size = await page.evaluate(async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        return `${img.naturalWidth}x${img.naturalHeight}`;
      }, icon.src);
      if (icon.sizes !== 'any') expect(size, icon.src).toBe(icon.sizes);
    }

    // The page names the favicon and the browser bar's colour for either theme.
    const head = page.locator('head');
    await expect(head.locator('link[rel="icon"][href="/favicon.ico"]')).toHaveCount(1);
    await expect(head.locator('link[rel="icon"][href="/favicon.svg"]')).toHaveCount(1);
    const colours = await head.locator('meta[name="theme-color"]').evaluateAll((metas) =>
      metas.map((m) => [m.getAttribute('media'), m.getAttribute('content')]),
    );
    expect(colours).toEqual([
      ['(prefers-color-scheme: light)', '#ffffff'],
      ['(prefers-color-scheme: dark)', '#1a1f27'],
    ]);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

// With accounts on, the sign-in page shows the favicon before anyone has signed in.
test.describe('with accounts on', () => {
  const own = ownServer('e2e-manifest', 3302);
  serveDuring(own);

  test('the favicon, manifest and icons are public and typed', async ({ request }) => {
    const files: [string, string][] = [
      ['/favicon.ico', 'image/x-icon'],
      ['/favicon.svg', 'image/svg+xml'],
      ['/manifest.webmanifest', 'application/manifest+json'],
      ['/icons/icon-192.png', 'image/png'],
      ['/icons/icon-512.png', 'image/png'],
      ['/icons/maskable-512.png', 'image/png'],
    ];
    for (const [file, type] of files) {
      const resp = await request.get(own.base + file, { maxRedirects: 0 });
      expect(resp.status(), file).toBe(200);
      expect(resp.headers()['content-type'], file).toBe(type);
    }
    // The page itself is not public: it leads to the first-run page, which links the icons.
    const page = await request.get(own.base + '/', { maxRedirects: 0 });
    expect(page.status()).toBe(303);
    const setup = await (await request.get(own.base + '/setup')).text();
    expect(setup).toContain('<link rel="icon" href="/favicon.ico"');
    expect(setup).toContain('<link rel="manifest" href="/manifest.webmanifest"');
  });

  test('the sign-in page shows the favicon in the browser', async ({ page }) => {
    await page.goto(own.base + '/login');
    const loaded = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="icon"][type="image/svg+xml"]');
      const img = new Image();
      img.src = link!.href;
      await img.decode();
      return img.naturalWidth > 0;
    });
    expect(loaded).toBe(true);
  });
});
