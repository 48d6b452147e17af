import { test, expect } from '@playwright/test';
import { openLive } from './helpers';

// Playwright starts Chromium with the back/forward cache off; this file turns it back on.
test.use({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  },
});

// A link is followed without a document load, but an address typed or opened is one. Going back
// to the library document may restore it from the back/forward cache, with the stream it
// closed on `pagehide`: it must open a new one.
test('back to a page restored from the back/forward cache: its stream opens again', async ({ page }) => {
  await openLive(page);
  const dot = page.locator('.connection-dot');
  const first = await dot.getAttribute('data-connection-id');
  await page.evaluate(() =>
    window.addEventListener('pageshow', (e) => {
      if (e.persisted) document.body.dataset.restored = 'true';
    }),
  );
  await page.goto('/history');
  await expect(page.locator('h1')).toHaveText('Processing history');
  await page.goBack({ waitUntil: 'commit' }); // a restored page fires no `load`
  await expect(page.locator('body')).toHaveAttribute('data-restored', 'true');
  await expect(dot).toHaveAttribute('data-state', 'open');
  await expect(dot).not.toHaveAttribute('data-connection-id', first ?? '');
});
