import { test, expect } from '@playwright/test';
import { copyComic, openLive, row, setAutoProcess } from './helpers';

test.beforeAll(async ({ request }) => setAutoProcess(request, false));

test('a comic copied into the library appears without reload', async ({ page }) => {
  await openLive(page);
  await expect(row(page, 'Saga/Saga #004 (2012).cbz')).toBeVisible();
  let navigations = 0;
  page.on('framenavigated', () => navigations++);
  copyComic('Saga/Saga #077 (2020).cbz');
  await expect(row(page, 'Saga/Saga #077 (2020).cbz')).toBeVisible();
  await expect(row(page, 'Saga/Saga #077 (2020).cbz').locator('.badge')).toHaveText('unprocessed');
  expect(navigations).toBe(0);
});

test('search, filter and page live in the URL and survive reload and back', async ({ page }) => {
  await openLive(page);
  await page.getByLabel('Search').fill('batman');
  await expect(page).toHaveURL(/search=batman/);
  await expect(page.locator('table.files tbody tr[data-path]')).toHaveCount(5);
  await page.getByLabel('Filter').selectOption('unprocessed');
  await expect(page).toHaveURL(/filter=unprocessed/);
  const rows = page.locator('table.files tbody tr[data-path]');
  await expect(rows.locator('.badge', { hasText: /^processed$/ })).toHaveCount(0);
  const shown = await rows.count();
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByLabel('Search')).toHaveValue('batman');
  await expect(page.getByLabel('Filter')).toHaveValue('unprocessed');
  await expect(rows).toHaveCount(shown);
  await page.goBack();
  await expect(page).not.toHaveURL(/filter=unprocessed/);
});
