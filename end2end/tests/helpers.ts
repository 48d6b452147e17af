import { expect, Page, APIRequestContext } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { e2eRoot } from '../playwright.config';

export const library = path.join(e2eRoot, 'library');

/** Loads a page and waits until the WASM has taken over and the event stream is open. */
export async function openLive(page: Page, url = '/') {
  await page.goto(url);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
}

/** Copies a sample comic (kept outside the library by serve.sh) to `rel` inside the library,
 * written and closed in one go. */
export function copyComic(rel: string) {
  const target = path.join(library, rel);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(path.join(e2eRoot, 'sample.cbz'), target);
}

/** Switches automatic processing (so tests decide when files are processed). */
export async function setAutoProcess(request: APIRequestContext, enabled: boolean) {
  const resp = await request.post('/api/watcher', { data: { enabled } });
  expect(resp.ok()).toBeTruthy();
}

/** A row of the file list, by library path. */
export function row(page: Page, rel: string) {
  return page.locator(`tr[data-path="${rel.replace(/"/g, '\\"')}"]`);
}
