import { test, expect } from '@playwright/test';
import path from 'node:path';
import { e2eRoot } from '../playwright.config';
import { openLive } from './helpers';

// Screenshots of the main page for the README (copied to docs/screenshots by hand).
const out = path.join(e2eRoot, '..', 'screenshots');

for (const [name, width, height, scheme] of [
  ['desktop-light', 1280, 800, 'light'],
  ['desktop-dark', 1280, 800, 'dark'],
  ['phone-light', 375, 780, 'light'],
  ['phone-dark', 375, 780, 'dark'],
] as const) {
  test(`screenshot ${name}`, async ({ browser }) => {
    const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme });
    await openLive(page);
    await expect(page.locator('tr[data-path]').first()).toBeVisible();
    // No layout shift when events arrive: the table's position is the same after an event.
    const before = await page.locator('table.files').boundingBox();
    await page.request.post('/api/events/broadcast', { data: { type: 'cache_updated', data: { rebuild_complete: true, message: 'x' } } });
    await page.waitForTimeout(600);
    expect(await page.locator('table.files').boundingBox()).toEqual(before);
    await page.screenshot({ path: path.join(out, `${name}.png`) });
    await page.close();
  });
}
