import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { openLive, row } from './helpers';
import { ownServer, serveDuring } from './own_server';

// Every page passes axe-core's checks (WCAG 2.x A/AA and best practices) with no serious or
// critical violation, in the light and the dark theme; the library and the jobs panel work
// with the keyboard alone; toasts are announced.

const themes = ['light', 'dark'] as const;

/** axe's serious and critical findings on the page as it is now, one line each. */
async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Loads `url` in `theme` (the system preference, which the pages follow until a pick). */
async function open(page: Page, url: string, theme: (typeof themes)[number]) {
  await page.emulateMedia({ colorScheme: theme });
  await page.goto(url);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  // The theme really is the one asked for (the stylesheet's own colour scheme).
  const scheme = await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);
  expect(scheme).toBe(theme);
}

for (const theme of themes) {
  for (const url of ['/', '/settings', '/history', '/sse-test', '/users']) {
    test(`${url} in the ${theme} theme has no serious or critical axe violation`, async ({ page }) => {
      await open(page, url, theme);
      await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
      expect(await seriousViolations(page)).toEqual([]);
    });
  }

  test(`the details panel, a job and toasts in the ${theme} theme pass axe`, async ({ page, request }) => {
    await open(page, '/', theme);
    await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
    await row(page, 'Saga/Saga #003 (2012).cbz').getByRole('button', { name: 'Saga #003 (2012).cbz' }).click();
    await expect(page.locator('aside.details h2')).toBeVisible();
    for (const level of ['info', 'success', 'warning', 'error']) {
      const resp = await request.post('/api/events/broadcast', {
        data: { type: 'notification', data: { level, message: `A ${level} toast` } },
      });
      expect(resp.status()).toBe(202);
    }
    await expect(page.locator('.toast')).toHaveCount(4);
    expect(await seriousViolations(page)).toEqual([]);
  });
}

test('toasts are announced: a polite live region, errors as alerts', async ({ page, request }) => {
  await openLive(page);
  const region = page.locator('.toasts');
  await expect(region).toHaveAttribute('aria-live', 'polite');
  for (const level of ['info', 'error']) {
    await request.post('/api/events/broadcast', {
      data: { type: 'notification', data: { level, message: `Announced ${level}` } },
    });
  }
  await expect(region.getByRole('status').filter({ hasText: 'Announced info' })).toHaveCount(1);
  await expect(region.getByRole('alert').filter({ hasText: 'Announced error' })).toHaveCount(1);
});

test('the library and the jobs panel work with the keyboard alone', async ({ page }) => {
  await openLive(page);
  const file = 'One Piece/One_Piece_Issue_2.cbz';
  const target = row(page, file);
  await expect(target).toBeVisible();

  // Tab from the top of the page reaches a row's name, with a visible focus and the row marked.
  const name = target.getByRole('button', { name: 'One_Piece_Issue_2.cbz' });
  let steps = 0;
  while (!(await name.evaluate((el) => el === document.activeElement))) {
    await page.keyboard.press('Tab');
    expect(++steps, 'Tab presses to reach the row').toBeLessThan(120);
  }
  expect(await name.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
  expect(await target.evaluate((el) => el.matches(':focus-within'))).toBe(true);

  // Enter opens the file's details; its close button, reached by Tab, closes them.
  await page.keyboard.press('Enter');
  const panel = page.locator('aside.details');
  await expect(panel.locator('h2')).toHaveText('One_Piece_Issue_2.cbz');
  await panel.getByRole('button', { name: 'Close details' }).focus();
  await page.keyboard.press('Enter');
  await expect(panel).toHaveCount(0);

  // Space on the row's checkbox (Shift+Tab back from the name) selects the row.
  await name.focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Space');
  await expect(target.getByRole('checkbox')).toBeChecked();
  await page.keyboard.press('Space');
  await expect(target.getByRole('checkbox')).not.toBeChecked();

  // Tab on to the row's Process button; Enter previews the job, and Apply runs it.
  await name.focus();
  await page.keyboard.press('Tab');
  await expect(target.getByRole('button', { name: 'Process' })).toBeFocused();
  await page.keyboard.press('Enter');
  const apply = page.getByRole('dialog').getByRole('button', { name: 'Apply' });
  await expect(apply).toBeEnabled();
  await apply.focus();
  await page.keyboard.press('Enter');
  const job = page.locator('.job').first();
  await expect(job).toHaveAttribute('data-status', 'completed');
  await expect(target).toHaveCount(0);
  expect(await seriousViolations(page), 'the page with a finished job').toEqual([]);

  // The jobs panel: Enter on its header folds and unfolds it; Tab goes on into the job's
  // buttons, and Enter on Undo undoes the job (the file gets its name back).
  const header = page.locator('.jobs-header');
  await header.focus();
  await page.keyboard.press('Enter');
  await expect(header).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Enter');
  await expect(header).toHaveAttribute('aria-expanded', 'true');
  const undo = job.getByRole('button', { name: 'Undo' });
  for (steps = 0; !(await undo.evaluate((el) => el === document.activeElement)); steps++) {
    expect(steps, 'Tab presses from the header to Undo').toBeLessThan(3);
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  await expect(page.locator('.toast', { hasText: 'Undo started' })).toBeVisible();
  await expect(target).toBeVisible();
});

// The sign-in and first-run pages need a server with accounts.
test.describe('with accounts on', () => {
  const own = ownServer('e2e-a11y', 3303);
  serveDuring(own);

  test('/setup and /login in both themes have no serious or critical axe violation', async ({ page, playwright }) => {
    for (const theme of themes) {
      await open(page, own.base + '/setup', theme);
      expect(await seriousViolations(page), `/setup ${theme}`).toEqual([]);
    }
    const api = await playwright.request.newContext({ baseURL: own.base });
    const made = await api.post('/api/auth/setup', { data: { username: 'admin', password: 'correct horse battery' } });
    expect(made.ok()).toBeTruthy();
    await api.dispose();
    for (const theme of themes) {
      await open(page, own.base + '/login', theme);
      expect(await seriousViolations(page), `/login ${theme}`).toEqual([]);
      // A failed sign-in's message is part of the page too.
      await page.fill('#username', 'admin');
      await page.fill('#password', 'wrong password');
      await page.keyboard.press('Enter');
      await expect(page.locator('.form-status')).not.toBeEmpty();
      expect(await seriousViolations(page), `/login ${theme} after a failed sign-in`).toEqual([]);
    }
  });
});
