import { test, expect } from '@playwright/test';
import { openLive } from './helpers';

test('500 events in a burst: one fetch at once, one after, and at most one a second between', async ({ page, request }) => {
  await openLive(page);
  await expect(page.locator('tr[data-path]').first()).toBeVisible();
  await page.waitForTimeout(1500); // let start-up fetches settle
  const fetches: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/files') fetches.push(r.url());
  });
  const body = { type: 'cache_updated', data: { rebuild_complete: true, message: 'burst' } };
  const start = Date.now();
  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(Array.from({ length: 50 }, () => request.post('/api/events/broadcast', { data: body })));
  }
  // How long the burst went on decides how many refreshes its maximum wait allows (a slow,
  // loaded machine spreads it out); the count, not the time, is what is checked.
  const seconds = Math.ceil((Date.now() - start) / 1000);
  await page.waitForTimeout(2500); // trailing debounce and max wait have passed
  expect(fetches.length).toBeGreaterThanOrEqual(1);
  expect(fetches.length).toBeLessThanOrEqual(2 + seconds);
});

test('an idle page makes no request for 30 s besides its open stream', async ({ page }) => {
  test.setTimeout(70_000);
  await openLive(page);
  await page.waitForTimeout(1500);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.waitForTimeout(30_000);
  expect(requests).toEqual([]);
  await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
});
