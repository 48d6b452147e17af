import { test, expect } from '@playwright/test';

test('the page renders, hydrates and receives its connected event', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText('Library');

  // Hydration: the app marks <body> once the WASM has taken over; only then do clicks work.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const toggle = page.locator('button.theme-toggle');
  const before = await toggle.getAttribute('data-theme');
  await toggle.click();
  await expect(toggle).not.toHaveAttribute('data-theme', before ?? '');

  // The live connection opened and its `connected` event named this tab's connection.
  const dot = page.locator('.connection-dot');
  await expect(dot).toHaveAttribute('data-state', 'open');
  await expect(dot).toHaveAttribute('data-connection-id', /^c\d+$/);
});
