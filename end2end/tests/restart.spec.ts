import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { ownServer } from './own_server';

// A server of its own, so this test can stop and start it.
const own = ownServer('e2e-restart', 3102, ['--no-auth']);
const { root, base, start, healthy, stop } = own;

test('stopping and starting the server: the dot turns amber/red, then green, and the list is current', async ({ page }) => {
  test.setTimeout(90_000);
  own.prepare();
  let server = start();
  try {
    await healthy();
    await page.goto(base + '/');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const dot = page.locator('.connection-dot');
    await expect(dot).toHaveAttribute('data-state', 'open');

    await stop(server);
    await expect(dot).toHaveAttribute('data-state', /reconnecting|offline/);
    await expect(dot).toHaveAttribute('title', /Reconnecting since|Offline \(polling\) since/);
    // Change the library while the server is down.
    fs.copyFileSync(path.join(root, 'library', 'Saga', 'Saga #004 (2012).cbz'), path.join(root, 'library', 'Saga', 'Saga #123.cbz'));

    server = start();
    await healthy();
    await expect(dot).toHaveAttribute('data-state', 'open', { timeout: 40_000 });
    await expect(page.locator('tr[data-path="Saga/Saga #123.cbz"]')).toBeVisible();
  } finally {
    await stop(server);
  }
});
