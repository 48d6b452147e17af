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

// The browser reads answers with its own JSON reader (`client::js_value`): an answer of the
// wrong shape is an error on the page, and the page goes on working once answers are right.
test('an answer of the wrong shape shows an error, and the next right one replaces it', async ({ page }) => {
  await openLive(page);
  const list = (url: URL) => url.pathname === '/api/files';
  await page.route(list, (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify({ files: 'not a list', total_files: -1.5 }) }),
  );
  await page.getByLabel('Filter').selectOption('processed');
  const error = page.locator('.library .error');
  await expect(error).toContainText('Cannot load files: unexpected answer: invalid type, expected');
  // The rows shown before stay.
  await expect(row(page, 'Saga/Saga #003 (2012).cbz')).toHaveCount(1);
  await page.unroute(list);
  await page.getByLabel('Filter').selectOption('all');
  await expect(error).toHaveCount(0);
  await expect(row(page, 'Saga/Saga #003 (2012).cbz')).toHaveCount(1);
});

test("a file's details of the wrong shape show an error in the panel", async ({ page }) => {
  await openLive(page);
  const saga = (url: URL) => url.pathname.startsWith('/api/files/Saga/');
  await page.route(saga, (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify({ name: 7, comic_info: [[1, 2]] }) }),
  );
  await row(page, 'Saga/Saga #003 (2012).cbz').getByRole('button', { name: 'Saga #003 (2012).cbz' }).click();
  const details = page.getByRole('complementary', { name: 'File details' });
  await expect(details.locator('.error')).toContainText('unexpected answer: ');
  await page.unroute(saga);
  await row(page, 'Saga/Saga #003 (2012).cbz').getByRole('button', { name: 'Saga #003 (2012).cbz' }).click();
  await expect(details.locator('h2')).toHaveText('Saga #003 (2012).cbz');
});
