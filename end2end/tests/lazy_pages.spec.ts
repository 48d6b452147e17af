import { test, expect } from '@playwright/test';
import { openLive } from './helpers';

// Settings, history and /sse-test are lazy islands: their code is a separate WASM chunk, fetched
// when the page is loaded, directly or by a link from the main page.

test('settings loaded directly hydrates and previews the template as it is typed', async ({ page }) => {
  await openLive(page, '/settings');
  const template = page.locator('#template');
  await expect(template).not.toHaveValue('');
  await template.fill('{series} v{issue}');
  // The sample is “Batman: Year One #7.5”; the padding is whatever the settings hold.
  await expect(page.locator('.preview code')).toHaveText(/^Batman_ Year One v0*7\.5\.cbz$/);
});

test('history and diagnostics are reached by links from the main page', async ({ page }) => {
  await openLive(page, '/');
  const chunks: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/pkg/split_')) chunks.push(r.url());
  });
  await page.click('a[href="/history"]');
  await expect(page.locator('h1')).toHaveText('Processing history');
  await page.click('a[href="/sse-test"]');
  await expect(page.locator('.conn-id')).toHaveText(/^c\d+$/);
  await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
  expect(chunks.some((u) => u.includes('history'))).toBeTruthy();
  expect(chunks.some((u) => u.includes('diagnostics'))).toBeTruthy();
});
