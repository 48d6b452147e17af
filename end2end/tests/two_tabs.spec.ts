import { test, expect } from '@playwright/test';
import { copyComic, openLive, row, setAutoProcess } from './helpers';

test.beforeAll(async ({ request }) => setAutoProcess(request, false));

test('two tabs stay in sync', async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await openLive(a);
  await openLive(b);
  // A watcher switch in one tab shows in the other.
  await expect(b.locator('.watcher-pill')).toHaveAttribute('data-state', 'disabled');
  await a.locator('.watcher-pill').click();
  await expect(a.locator('.watcher-pill')).toHaveAttribute('data-state', 'running');
  await expect(b.locator('.watcher-pill')).toHaveAttribute('data-state', 'running');
  await b.locator('.watcher-pill').click();
  await expect(a.locator('.watcher-pill')).toHaveAttribute('data-state', 'disabled');
  // A new file shows in both.
  copyComic('Invincible/invincible 042.cbz');
  await expect(row(a, 'Invincible/invincible 042.cbz')).toBeVisible();
  await expect(row(b, 'Invincible/invincible 042.cbz')).toBeVisible();
});
