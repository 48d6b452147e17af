import { test, expect, chromium, Page, Browser } from '@playwright/test';
import { ownServer } from './own_server';

// One event stream per browser. The tabs of a browser elect a leader that holds the only
// EventSource and relays its events over a BroadcastChannel. At a LAN name over plain HTTP the
// page is not a secure context (no Web Locks): the election is the localStorage lease.

const port = 3106;
const server = ownServer('e2e-one-stream', port, ['--no-auth', '--allowed-hosts', 'longbox.lan']);
const lan = `http://longbox.lan:${port}`;
let proc: ReturnType<typeof server.start>;
let browser: Browser;

test.beforeAll(async () => {
  server.prepare();
  proc = server.start();
  await server.healthy();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--host-resolver-rules=MAP longbox.lan 127.0.0.1'],
  });
});

test.afterAll(async () => {
  await browser?.close();
  await server.stop(proc);
});

async function streams(): Promise<string[]> {
  const rows = await (await fetch(`${server.base}/api/events/status`)).json();
  return rows.map((r: { connection_id: string }) => r.connection_id);
}

async function broadcast(message: string) {
  const resp = await fetch(`${server.base}/api/events/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'notification', data: { level: 'info', message } }),
  });
  expect(resp.status).toBe(202);
}

// Each toast a page raises, in order, kept after the toast has left (a toast leaves after 5 s,
// and ten tabs are checked one after another).
function recordToasts() {
  const heard: string[] = [];
  (window as unknown as { __toasts: string[] }).__toasts = heard;
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of Array.from(record.addedNodes)) {
        if (!(node instanceof Element)) continue;
        const found = node.matches('.toast') ? [node] : Array.from(node.querySelectorAll('.toast'));
        for (const toast of found) heard.push(toast.querySelector('.toast-text')?.textContent ?? '');
      }
    }
  }).observe(document, { childList: true, subtree: true });
}

// How many toasts with exactly this message the page has raised.
async function toastsOf(page: Page, message: string): Promise<number> {
  return page.evaluate(
    (m) => (window as unknown as { __toasts: string[] }).__toasts.filter((t) => t === m).length,
    message,
  );
}

// Every page raises the message's toast exactly once.
async function everyTabToasts(pages: Page[], message: string) {
  for (const page of pages) await expect.poll(() => toastsOf(page, message)).toBe(1);
}

async function leaders(pages: Page[]) {
  const marks = await Promise.all(pages.map((p) => p.locator('body').getAttribute('data-leader')));
  return pages.filter((_, i) => marks[i] === 'true');
}

test('ten tabs at a LAN name share one stream; the leader closing or freezing hands over without loss', async () => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  await context.addInitScript(recordToasts);
  const pages: Page[] = [];
  for (let i = 0; i < 10; i++) {
    const page = await context.newPage();
    // The last tab shows the event log, where a lost or doubled event would show.
    await page.goto(i === 9 ? `${lan}/sse-test` : `${lan}/`);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    pages.push(page);
  }
  expect(await pages[0].evaluate(() => window.isSecureContext)).toBe(false);
  for (const page of pages) await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
  await expect.poll(async () => (await streams()).length).toBe(1);
  await expect.poll(async () => (await leaders(pages)).length).toBe(1);

  // Every tab hears an event.
  const hello = `to all ten ${Date.now()}`;
  await broadcast(hello);
  await everyTabToasts(pages, hello);
  expect((await streams()).length).toBeLessThanOrEqual(2);

  // The leader closes; events published before anyone has taken over reach every tab once.
  const log = pages[9];
  let [leader] = await leaders(pages);
  expect(leader).not.toBe(log);
  const before = await streams();
  await leader.close();
  pages.splice(pages.indexOf(leader), 1);
  const gap = Array.from({ length: 5 }, (_, i) => `while leaderless ${i} ${Date.now()}`);
  for (const m of gap) await broadcast(m);
  await expect.poll(async () => (await leaders(pages)).length, { timeout: 10_000 }).toBe(1);
  expect((await streams()).length).toBeLessThanOrEqual(2);
  await expect.poll(async () => (await streams()).filter((s) => !before.includes(s)).length, { timeout: 10_000 }).toBe(1);
  for (const m of gap) {
    await expect(log.locator('.log-row', { hasText: m })).toHaveCount(1);
    await everyTabToasts(pages, m);
  }
  await expect.poll(async () => (await streams()).length).toBe(1);

  // The new leader hangs (its main thread blocked, as a frozen tab's is): another tab takes
  // over, and the hung one steps down when it comes back.
  [leader] = await leaders(pages);
  expect(leader).toBeDefined();
  const others = pages.filter((p) => p !== leader);
  const hang = leader.evaluate(() => {
    const end = Date.now() + 6000;
    while (Date.now() < end);
  });
  await expect.poll(async () => (await leaders(others)).length, { timeout: 6_000 }).toBe(1);
  const later = `while the leader hangs ${Date.now()}`;
  await broadcast(later);
  await everyTabToasts(others.filter((p) => p !== log), later);
  await hang;
  await expect.poll(async () => (await leaders(pages)).length).toBe(1);
  await expect.poll(async () => (await streams()).length).toBe(1);
  await expect(log.locator('.log-row', { hasText: later })).toHaveCount(1);
  // The hung tab hears it too, once, and no tab hears it twice.
  await everyTabToasts(pages, later);
  await context.close();
});

test('without BroadcastChannel each tab has a stream of its own', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    // @ts-ignore: the point is a browser without it
    delete window.BroadcastChannel;
  });
  const a = await context.newPage();
  const b = await context.newPage();
  for (const page of [a, b]) {
    await page.goto(`${lan}/`);
    await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
  }
  await expect.poll(async () => (await streams()).length).toBe(2);
  const message = `own streams ${Date.now()}`;
  await broadcast(message);
  for (const page of [a, b]) await expect(page.locator('.toast', { hasText: message })).toBeVisible();
  await context.close();
});

test('in a secure context (127.0.0.1) the tabs elect with a Web Lock', async () => {
  const context = await browser.newContext();
  const pages: Page[] = [];
  for (let i = 0; i < 3; i++) {
    const page = await context.newPage();
    await page.goto(`${server.base}/`);
    await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
    pages.push(page);
  }
  expect(await pages[0].evaluate(() => window.isSecureContext)).toBe(true);
  await expect.poll(async () => (await streams()).length).toBe(1);
  const held = await pages[0].evaluate(async () => (await navigator.locks.query()).held?.length ?? 0);
  expect(held).toBe(1);
  const [leader] = await leaders(pages);
  await leader.close();
  const rest = pages.filter((p) => p !== leader);
  await expect.poll(async () => (await leaders(rest)).length).toBe(1);
  const message = `after the lock moved ${Date.now()}`;
  await broadcast(message);
  for (const page of rest) await expect(page.locator('.toast', { hasText: message })).toBeVisible();
  await expect.poll(async () => (await streams()).length).toBe(1);
  await context.close();
});
