import { test, expect, Browser, Page } from '@playwright/test';
import { ownServer, serveDuring } from './own_server';

// Accounts on: a server of its own (the suite's default one runs with --no-auth).
const own = ownServer('e2e-accounts', 3104);
const base = own.base;
const admin = { name: 'admin', password: 'correct horse battery' };
const reader = { name: 'reader1', password: 'reader password 1' };

test.describe.configure({ mode: 'serial' });

serveDuring(own);

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs in on /login and waits for the library. */
async function signIn(page: Page, who: { name: string; password: string }) {
  await page.goto(base + '/login');
  await hydrated(page);
  await page.fill('#username', who.name);
  await page.fill('#password', who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(base + '/');
  await hydrated(page);
  await expect(page.locator('.account .user-name')).toHaveText(who.name);
}

async function freshPage(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

test('with --no-auth (the suite\'s default server) the top bar says accounts are off', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await expect(page.locator('.no-auth-note')).toHaveText('Accounts are off (--no-auth): everyone on this machine is an admin');
  await expect(page.locator('body')).toHaveAttribute('data-role', 'admin');
  await expect(page.locator('nav a[href="/users"]')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});

test('the first visit lands on /setup, which creates the admin and opens the library', async ({ browser }) => {
  const { context, page } = await freshPage(browser);
  await page.goto(base + '/');
  await expect(page).toHaveURL(base + '/setup');
  await hydrated(page);
  await page.fill('#username', admin.name);
  await page.fill('#password', 'short');
  await page.fill('#confirm', 'short');
  await page.getByRole('button', { name: 'Create admin account' }).click();
  // The server's own message, in the live region.
  await expect(page.locator('.form-status[aria-live]')).toContainText('10');
  await page.fill('#password', admin.password);
  await page.fill('#confirm', admin.password);
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await expect(page).toHaveURL(base + '/');
  await hydrated(page);
  await expect(page.locator('.account .user-name')).toHaveText(admin.name);
  await expect(page.locator('tr[data-path]').first()).toBeVisible();
  await expect(page.locator('nav a[href="/users"]')).toBeVisible();
  await expect(page.locator('nav a[href="/settings"]')).toBeVisible();
  // Setup is done: the page now leads to the library.
  await page.goto(base + '/setup');
  await expect(page).toHaveURL(base + '/');
  await context.close();
});

test('signing out leads to /login, where a wrong password is refused with the server message', async ({ browser }) => {
  const { context, page } = await freshPage(browser);
  await signIn(page, admin);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(base + '/login');
  await page.goto(base + '/');
  await expect(page).toHaveURL(base + '/login');
  await hydrated(page);
  await page.fill('#username', admin.name);
  await page.fill('#password', 'not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('.form-status[aria-live]')).toHaveText('wrong user name or password');
  await expect(page).toHaveURL(base + '/login');
  await context.close();
});

test('an admin adds a reader and an API key on /users', async ({ browser }) => {
  const { context, page } = await freshPage(browser);
  await signIn(page, admin);
  await page.locator('nav a[href="/users"]').click();
  await expect(page).toHaveURL(base + '/users');
  await hydrated(page);
  await expect(page.locator(`tr[data-user="${admin.name}"]`)).toBeVisible();
  await page.fill('#new-username', reader.name);
  await page.fill('#new-password', reader.password);
  await page.getByRole('button', { name: 'Add account' }).click();
  const row = page.locator(`tr[data-user="${reader.name}"]`);
  await expect(row).toBeVisible();
  await expect(row.locator('select')).toHaveValue('reader');

  await page.fill('#key-name', 'komga sync');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.locator('.new-key')).toContainText('will not be shown again');
  const key = (await page.locator('.new-key .key').textContent())!.trim();
  expect(key.length).toBeGreaterThan(10);
  const keyRow = page.locator('tr[data-key="komga sync"]');
  await expect(keyRow).toBeVisible();
  // The key works, as a reader.
  expect((await fetch(`${base}/api/files`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  await keyRow.getByRole('button', { name: 'Revoke' }).click();
  await expect(keyRow).toHaveCount(0);
  expect((await fetch(`${base}/api/files`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  await context.close();
});

test('a reader sees no admin controls, and /settings sends them to the library', async ({ browser }) => {
  const { context, page } = await freshPage(browser);
  await signIn(page, reader);
  await expect(page.locator('body')).toHaveAttribute('data-role', 'reader');
  await expect(page.locator('tr[data-path]').first()).toBeVisible();
  await expect(page.locator('nav a[href="/settings"]')).toBeHidden();
  await expect(page.locator('nav a[href="/users"]')).toBeHidden();
  await expect(page.locator('.batch')).toBeHidden();
  await expect(page.locator('.watcher-pill')).toBeHidden();
  await expect(page.locator('.col-actions button').first()).toBeHidden();
  await expect(page.locator('nav a[href="/history"]')).toBeVisible();
  // Who is signed in, and the role the stylesheet hides controls by, are in the page the server
  // sends: nothing to fetch, nothing to flash.
  const html = await (await page.request.get(base + '/')).text();
  expect(html).toContain('data-role="reader"');
  expect(html).toContain('class="user-name"');
  expect(html).toContain('reader1');
  await page.goto(base + '/settings');
  await expect(page).toHaveURL(base + '/');
  await page.goto(base + '/users');
  await expect(page).toHaveURL(base + '/');
  await context.close();
});

test('signing out in one tab ends the other tab’s stream, which goes to /login', async ({ browser }) => {
  const { context, page: a } = await freshPage(browser);
  await signIn(a, admin);
  const b = await context.newPage();
  await b.goto(base + '/');
  await hydrated(b);
  await expect(b.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
  await a.getByRole('button', { name: 'Sign out' }).click();
  await expect(a).toHaveURL(base + '/login');
  await expect(b).toHaveURL(base + '/login', { timeout: 15_000 });
  await context.close();
});
