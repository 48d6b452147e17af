import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { library, openLive, row, setAutoProcess } from './helpers';

// The details panel and a job's failed items are separate WASM chunks, fetched on first use.

test.beforeAll(async ({ request }) => setAutoProcess(request, false));

test("a file's name opens its details with the ComicInfo fields", async ({ page }) => {
  await openLive(page);
  const chunks: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/pkg/split_')) chunks.push(r.url());
  });
  await row(page, 'Saga/Saga #003 (2012).cbz').getByRole('button', { name: 'Saga #003 (2012).cbz' }).click();
  const details = page.getByRole('complementary', { name: 'File details' });
  await expect(details.locator('h2')).toHaveText('Saga #003 (2012).cbz');
  await expect(details.locator('dt', { hasText: 'Publisher' }).locator('+ dd')).toHaveText('Demo Comics');
  await expect(details.locator('dt', { hasText: 'Summary' }).locator('+ dd')).toHaveText(
    'A sample issue written by longbox demo-library.',
  );
  expect(chunks.some((u) => u.includes('details_panel'))).toBeTruthy();
  await details.getByRole('button', { name: 'Close details' }).click();
  await expect(details).toHaveCount(0);
});

test('a finished job lists the files that failed', async ({ page }) => {
  await openLive(page);
  const broken = 'Broken/Broken #001.cbz';
  fs.mkdirSync(path.join(library, 'Broken'), { recursive: true });
  fs.writeFileSync(path.join(library, broken), 'this is not a zip archive');
  await row(page, broken).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Process selected' }).click();
  // A job is previewed first (a dry run); Apply starts it.
  await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
  const job = page.locator('.job').first();
  await expect(job.locator('.job-counts')).toHaveText('1/1 · 0 ok · 1 errors');
  await job.getByRole('button', { name: 'Show errors' }).click();
  await expect(job.locator('.job-errors li')).toHaveCount(1);
  await expect(job.locator('.job-errors li')).toContainText(`${broken}: `);
});
