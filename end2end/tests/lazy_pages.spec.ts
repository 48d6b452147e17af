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

test('settings saved from the page are what the server keeps; a bad template is refused inline', async ({ page, request }) => {
  const before = await (await request.get('/api/settings')).json();
  await openLive(page, '/settings');
  await expect(page.locator('#template')).toHaveValue(before.filename_template);
  await page.locator('#template').fill('{series} {nope}');
  await expect(page.locator('.field-error')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
  await page.locator('#template').fill('{series} #{issue}');
  await page.locator('#parallelism').fill('3');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('.toast-success', { hasText: 'Settings saved' })).toBeVisible();
  const after = await (await request.get('/api/settings')).json();
  expect(after).toEqual({ ...before, filename_template: '{series} #{issue}', parallelism: 3 });
  // Later tests expect the defaults.
  expect((await request.put('/api/settings', { data: before })).ok()).toBeTruthy();
});

test('the library page loads no lazy chunk and asks nothing before it is used', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await openLive(page, '/');
  // The account line is the server's: rendered, not fetched.
  await expect(page.locator('.account-slot .no-auth-note')).toBeVisible();
  expect(requests.filter((p) => p.startsWith('/pkg/split_'))).toEqual([]);
  expect(requests).not.toContain('/api/auth/me');
  // The details panel is a chunk of its own, fetched on the first click on a name.
  await page.locator('tbody tr[data-path] button.link').first().click();
  await expect(page.locator('aside.details')).toBeVisible();
  expect(requests.some((p) => p.startsWith('/pkg/split_'))).toBeTruthy();
});
