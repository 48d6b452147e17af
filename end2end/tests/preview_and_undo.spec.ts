import { test, expect, APIRequestContext, Locator, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { copyComic, library, openLive, row, setAutoProcess } from './helpers';

// A job started from the library is first shown as a dry run (Apply or Cancel), and a finished
// job can be undone. The tests share the server with the other specs, so they touch only
// Spider-Man #8 (always put back) and a folder of their own (removed at the end).

const original = 'Spider-Man/spider man chapter 8.cbz';
const renamed = 'Spider-Man/Spider-Man - Chapter 0008.cbz';
const mine = 'Zz Preview';
const clashing = `${mine}/zz preview 1.cbz`; // would be renamed to `taken`
const taken = `${mine}/Zz Preview - Chapter 0001.cbz`;
const broken = `${mine}/zz preview 2.cbz`;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => setAutoProcess(request, false));

test.afterAll(async ({ request }) => {
  fs.rmSync(path.join(library, mine), { recursive: true, force: true });
  // Whatever happened above, Spider-Man #8 gets its own name back.
  if ((await paths(request, 'spider')).includes(renamed)) {
    fs.renameSync(path.join(library, renamed), path.join(library, original));
  }
});

/** Library paths matching `search`, through the API. */
async function paths(request: APIRequestContext, search: string): Promise<string[]> {
  const resp = await request.get(`/api/files?per_page=500&search=${encodeURIComponent(search)}`);
  expect(resp.ok()).toBeTruthy();
  return (await resp.json()).files.map((f: { path: string }) => f.path);
}

/** Selects `rel`, clicks a batch button and returns the preview dialog, once it has loaded. */
async function preview(page: Page, rels: string[], button = 'Process selected') {
  for (const rel of rels) await row(page, rel).getByRole('checkbox').check();
  await page.getByRole('button', { name: button }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.locator('.preview-totals')).toBeVisible();
  return dialog;
}

/** The preview's row of one file. */
function previewRow(dialog: Locator, rel: string) {
  return dialog.locator('tbody tr', { has: dialog.page().getByRole('rowheader', { name: rel, exact: true }) });
}

let jobId = '';

test('Process shows the new name and tag changes first; Cancel and Escape change nothing', async ({ page, request }) => {
  const jobsBefore = (await (await request.get('/api/jobs')).json()).length;
  await openLive(page);
  const dialog = await preview(page, [original]);
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(page.getByRole('dialog', { name: 'Process 1 file: preview' })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Apply' })).toBeFocused();
  await expect(dialog.getByRole('columnheader')).toHaveText(['File', 'New name', 'Tag changes', 'Result']);
  const item = previewRow(dialog, original);
  await expect(item).toHaveAttribute('data-outcome', 'change');
  await expect(item.locator('.new-name')).toHaveText('Spider-Man - Chapter 0008.cbz');
  await expect(item.locator('.tag-changes li')).toHaveText([
    'Series: (none) → Spider-Man',
    'Number: (none) → 8',
    'Title: (none) → Chapter 8',
  ]);
  await expect(dialog.locator('.preview-totals')).toContainText('1 to change');

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  // Focus goes back to the button that opened the preview.
  await expect(page.getByRole('button', { name: 'Process selected' })).toBeFocused();

  // Escape cancels too.
  await page.getByRole('button', { name: 'Rename selected' }).click();
  await expect(page.getByRole('dialog', { name: 'Rename 1 file: preview' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // Nothing ran, nothing moved.
  await page.waitForTimeout(300);
  expect((await (await request.get('/api/jobs')).json()).length).toBe(jobsBefore);
  const now = await paths(request, 'spider');
  expect(now).toContain(original);
  expect(now).not.toContain(renamed);
  await expect(row(page, original).locator('.badge')).toHaveText('unprocessed');
});

test('Apply runs the job: it completes and the file has its new name', async ({ page, request }) => {
  await openLive(page);
  const dialog = await preview(page, [original]);
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const job = page.locator('.job').first();
  await expect(job).toHaveAttribute('data-status', 'completed');
  await expect(job.locator('.job-counts')).toHaveText('1/1 · 1 ok · 0 errors');
  jobId = (await job.getAttribute('data-job-id')) ?? '';
  expect(jobId).not.toBe('');
  await expect(row(page, renamed).locator('.badge')).toHaveText('processed');
  await expect(row(page, original)).toHaveCount(0);
  expect(await paths(request, 'spider')).toContain(renamed);
  // Started after the page loaded, the job still learns it can be undone.
  await expect(job.getByRole('button', { name: 'Undo' })).toBeVisible();
});

test('Undo on the finished job puts the old name back', async ({ page, request }) => {
  expect(jobId).not.toBe('');
  await openLive(page);
  const job = page.locator(`.job[data-job-id="${jobId}"]`);
  await job.getByRole('button', { name: 'Undo' }).click();
  await expect(page.locator('.toast', { hasText: 'Undo started' })).toBeVisible();
  const undo = page.locator('.job').first();
  await expect(undo).not.toHaveAttribute('data-job-id', jobId);
  await expect(undo).toHaveAttribute('data-status', 'completed');
  await expect(undo.locator('.job-counts')).toHaveText('1/1 · 1 ok · 0 errors');
  // An undo job cannot itself be undone from the panel.
  await expect(undo.getByRole('button', { name: 'Remove' })).toBeVisible();
  await expect(undo.getByRole('button', { name: 'Undo' })).toHaveCount(0);

  const undoId = await undo.getAttribute('data-job-id');
  const view = await (await request.get(`/api/jobs/${undoId}`)).json();
  expect(view.action).toBe('undo');
  expect(view.undo_of).toBe(jobId);
  await expect.poll(() => paths(request, 'spider')).toContain(original);
  expect(await paths(request, 'spider')).not.toContain(renamed);
  await expect(row(page, original).locator('.badge')).toHaveText('unprocessed');
});

test('conflicts and broken files are highlighted in the preview', async ({ page }) => {
  copyComic(clashing);
  copyComic(taken);
  fs.writeFileSync(path.join(library, broken), 'this is not a zip archive');
  await openLive(page);
  await expect(row(page, broken)).toBeVisible();
  const dialog = await preview(page, [clashing, broken]);
  await expect(previewRow(dialog, clashing)).toHaveAttribute('data-outcome', 'conflict');
  await expect(previewRow(dialog, clashing).locator('.conflict')).toContainText(
    'Zz Preview - Chapter 0001.cbz already exists',
  );
  await expect(previewRow(dialog, broken)).toHaveAttribute('data-outcome', 'error');
  await expect(previewRow(dialog, broken).locator('.error')).not.toBeEmpty();
  await expect(dialog.locator('.preview-totals')).toContainText('1 conflict');
  await expect(dialog.locator('.preview-totals')).toContainText('1 error');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

test("undo of a job that changed nothing shows the server's refusal", async ({ page }) => {
  await openLive(page);
  // The name already follows the template: renaming it changes nothing.
  const dialog = await preview(page, [taken], 'Rename selected');
  await expect(previewRow(dialog, taken)).toHaveAttribute('data-outcome', 'unchanged');
  await expect(previewRow(dialog, taken).locator('.new-name')).toHaveText('unchanged');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  const job = page.locator('.job').first();
  await expect(job).toHaveAttribute('data-status', 'completed');
  await job.getByRole('button', { name: 'Undo' }).click();
  await expect(page.locator('.toast-error')).toContainText('changed no file; nothing to undo');
  await expect(row(page, taken)).toBeVisible();
});

test('History offers Undo per job', async ({ page, request }) => {
  const resp = await request.post('/api/jobs', { data: { action: 'process', files: [original] } });
  expect(resp.status()).toBe(202);
  const { job_id } = await resp.json();
  await expect.poll(async () => (await (await request.get(`/api/jobs/${job_id}`)).json()).status).toBe('completed');
  await openLive(page, '/history');
  const rows = page.locator(`tr[data-job-id="${job_id}"]`);
  await expect(rows.first()).toBeVisible();
  await rows.first().getByRole('button', { name: 'Undo job' }).click();
  await expect(page.locator('.toast', { hasText: 'Undo started' })).toBeVisible();
  await expect.poll(() => paths(request, 'spider')).toContain(original);
});
