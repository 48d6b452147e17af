import { test, expect } from '@playwright/test';
import { openLive } from './helpers';

// The islands router: a click on a link patches the document with the next page instead of
// loading one, and the one live connection (with the state it holds) stays.

test('six clicks through the pages: one document load, one event stream', async ({ page, request }) => {
  const documents: string[] = [];
  const streams: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'document') documents.push(r.url());
    if (r.url().includes('/api/events/stream')) streams.push(r.url());
  });
  await openLive(page, '/');
  const connection = await page.locator('.connection-dot').getAttribute('data-state');
  expect(connection).toBe('open');

  const clicks: [string, RegExp][] = [
    ['/settings', /Settings/],
    ['/history', /Processing history/],
    ['/sse-test', /Diagnostics|Event stream/],
    ['/', /Library/],
    ['/settings', /Settings/],
    ['/history', /Processing history/],
  ];
  for (const [href, heading] of clicks) {
    await page.click(`nav a[href="${href}"]`);
    await expect(page).toHaveURL(new URL(href, page.url()).href);
    await expect(page.locator('main h1').first()).toHaveText(heading);
    await expect(page.locator(`nav a[href="${href}"]`)).toHaveAttribute('aria-current', 'page');
  }
  // The page that was left is gone, with its islands.
  await expect(page.locator('section.library')).toHaveCount(0);
  await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');

  // Still live: an event published now reaches this page as a toast.
  const message = `after six clicks ${Date.now()}`;
  await request.post('/api/events/broadcast', { data: { type: 'notification', data: { level: 'info', message } } });
  await expect(page.locator('.toast', { hasText: message })).toBeVisible();

  expect(documents).toHaveLength(1);
  expect(streams).toHaveLength(1);
});

test('back and forward move between pages without a document load; a reload keeps the URL', async ({ page }) => {
  await openLive(page, '/?search=saga');
  const documents: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'document') documents.push(r.url());
  });
  await page.click('nav a[href="/history"]');
  await expect(page.locator('main h1').first()).toHaveText(/Processing history/);
  await page.goBack();
  await expect(page).toHaveURL(/\?search=saga$/);
  await expect(page.locator('input.search')).toHaveValue('saga');
  await page.goForward();
  await expect(page.locator('main h1').first()).toHaveText(/Processing history/);
  expect(documents).toHaveLength(0);
  await page.goBack();
  await page.reload();
  await expect(page.locator('input.search')).toHaveValue('saga');
});
