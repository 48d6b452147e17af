import { test, expect } from '@playwright/test';
import { openLive, row, setAutoProcess } from './helpers';

test.beforeAll(async ({ request }) => setAutoProcess(request, false));

test('a job started from the UI fills its bar to 100% and ends with a toast', async ({ page }) => {
  await openLive(page);
  const target = row(page, 'Batman/Batman ch 12.cbz');
  await target.getByRole('checkbox').check();
  await row(page, 'Batman/Batman ch 13.cbz').getByRole('checkbox').check();
  await expect(page.getByText('2 selected')).toBeVisible();
  await page.getByRole('button', { name: 'Process selected' }).click();
  // A job is previewed first (a dry run); Apply starts it.
  await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
  const job = page.locator('.job').first();
  await expect(job).toHaveAttribute('data-status', 'completed');
  await expect(job.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await expect(job.locator('.job-counts')).toHaveText('2/2 · 2 ok · 0 errors');
  await expect(page.locator('.toast-success', { hasText: 'Job completed' })).toContainText('2 of 2 done, 0 errors');
  // The list followed the renames, and the selection of rows still on the page survives.
  await expect(row(page, 'Batman/Batman - Chapter 0012.cbz').locator('.badge')).toHaveText('processed');
  await expect(row(page, 'Batman/Batman ch 12.cbz')).toHaveCount(0);
});

test('a failing file shows an error toast', async ({ page, request }) => {
  await openLive(page);
  const resp = await request.post('/api/events/broadcast', {
    data: { type: 'file_processed', data: { filepath: 'x/y.cbz', filename: 'y.cbz', success: false, error: 'disk full' } },
  });
  expect(resp.status()).toBe(202);
  await expect(page.locator('.toast-error')).toContainText('y.cbz: disk full');
});
