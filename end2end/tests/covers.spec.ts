import { test, expect, Page } from '@playwright/test';
import { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ownServer } from './own_server';

// A server of its own: the demo library plus 150 more comics, so the grid is many screens tall.
const srv = ownServer('e2e-covers', Number(process.env.E2E_PORT ?? 3200) + 1, ['--no-auth']);
const EXTRA = 150;
const TOTAL = EXTRA + 14;
let server: ChildProcess;

test.use({ baseURL: srv.base });

test.beforeAll(async () => {
  srv.prepare();
  const lib = path.join(srv.root, 'library');
  const sample = path.join(lib, 'Saga', 'Saga #004 (2012).cbz');
  fs.mkdirSync(path.join(lib, 'Many'), { recursive: true });
  for (let i = 0; i < EXTRA; i++) {
    fs.copyFileSync(sample, path.join(lib, 'Many', `Many ${String(i).padStart(3, '0')}.cbz`));
  }
  server = srv.start();
  await srv.healthy();
});

test.afterAll(async () => {
  await srv.stop(server);
});

async function openLive(page: Page, url: string) {
  await page.goto(url);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
}

test('the grid view is kept in the URL through reload and back', async ({ page }) => {
  await openLive(page, '/');
  const toggle = page.getByRole('button', { name: 'Grid' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('img.thumb')).toHaveCount(0);
  await toggle.click();
  await expect(page).toHaveURL(/[?&]view=grid/);
  await expect(page.locator('.table-wrap.grid')).toBeVisible();
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.table-wrap.grid')).toBeVisible();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await toggle.click();
  await expect(page).not.toHaveURL(/view=grid/);
  await expect(page.locator('.table-wrap.grid')).toHaveCount(0);
  await page.goBack();
  await expect(page).toHaveURL(/[?&]view=grid/);
  await expect(page.locator('.table-wrap.grid')).toBeVisible();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
});

test('covers load lazily, and each is a real image', async ({ page }) => {
  const requested = new Set<string>();
  page.on('request', (r) => {
    if (r.url().includes('/api/covers/')) requested.add(r.url());
  });
  await openLive(page, '/?view=grid&per_page=200');
  const thumbs = page.locator('img.thumb');
  await expect(thumbs).toHaveCount(TOTAL);
  await expect(thumbs.first()).toHaveAttribute('loading', 'lazy');
  await expect
    .poll(() => thumbs.first().evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth))
    .toBeGreaterThan(0);
  const atFirst = requested.size;
  expect(atFirst).toBeGreaterThan(0);
  expect(atFirst, 'covers far below the viewport are not requested yet').toBeLessThan(TOTAL / 2);
  await thumbs.last().scrollIntoViewIfNeeded();
  await expect
    .poll(() => thumbs.last().evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth))
    .toBeGreaterThan(0);
  expect(requested.size).toBeGreaterThan(atFirst);
});

test('a cover has an ETag and a year of cache, and If-None-Match gets 304', async ({ request }) => {
  let url = '';
  await expect
    .poll(async () => {
      const page = await (await request.get('/api/files?per_page=500')).json();
      url = page.files.find((f: { cover?: string }) => f.cover?.includes('?v='))?.cover ?? '';
      return url;
    })
    .not.toBe('');
  const resp = await request.get(url);
  expect(resp.status()).toBe(200);
  expect(resp.headers()['content-type']).toBe('image/jpeg');
  const etag = resp.headers()['etag'];
  expect(etag).toBe(`"${url.split('?v=')[1]}"`);
  expect(resp.headers()['cache-control']).toContain('max-age=31536000');
  expect(resp.headers()['cache-control']).toContain('immutable');
  const again = await request.get(url, { headers: { 'If-None-Match': etag } });
  expect(again.status()).toBe(304);
  const missing = await request.get('/api/covers/Nope/none.cbz');
  expect(missing.status()).toBe(404);
  expect((await missing.json()).error).toBeTruthy();
});

test('the details panel shows the cover', async ({ page }) => {
  await openLive(page, '/?per_page=200');
  await page.locator('tr[data-path="Saga/Saga #003 (2012).cbz"] button[data-action="details"]').click();
  const cover = page.locator('.details img.details-cover');
  await expect(cover).toBeVisible();
  await expect.poll(() => cover.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
});
