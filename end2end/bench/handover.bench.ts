import { test, expect, chromium, Page } from '@playwright/test';
import { ownServer, serveDuring } from '../tests/own_server';

// How soon another tab holds the browser's stream when its leader closes or hangs, over plain
// HTTP at a LAN name (the localStorage lease). Prints the figures (docs/performance.md);
// asserts only that a hand-over happened.

const port = 3107;
const own = ownServer('bench-handover', port, ['--no-auth', '--allowed-hosts', 'longbox.lan']);
serveDuring(own);
const lan = `http://longbox.lan:${port}`;

async function streams(): Promise<string[]> {
  const rows = await (await fetch(`${own.base}/api/events/status`)).json();
  return rows.map((r: { connection_id: string }) => r.connection_id);
}

/** Ms from `t0` until the server lists a stream that is not in `before`. */
async function newStreamAfter(t0: number, before: string[]): Promise<number> {
  for (;;) {
    if ((await streams()).some((s) => !before.includes(s))) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function leader(pages: Page[]): Promise<Page> {
  await expect
    .poll(async () => (await Promise.all(pages.map((p) => p.locator('body').getAttribute('data-leader')))).filter((m) => m === 'true').length)
    .toBe(1);
  for (const p of pages) if ((await p.locator('body').getAttribute('data-leader')) === 'true') return p;
  throw new Error('no leader');
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]}, min ${s[0]}, max ${s[s.length - 1]} (${s.length} runs)`;
}

test('leader closed or hung → another tab holds the stream', async () => {
  test.setTimeout(180_000);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--host-resolver-rules=MAP longbox.lan 127.0.0.1'],
  });
  const context = await browser.newContext();
  const pages: Page[] = [];
  const open = async () => {
    const page = await context.newPage();
    await page.goto(`${lan}/`);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    pages.push(page);
  };
  for (let i = 0; i < 4; i++) await open();
  await expect.poll(async () => (await streams()).length).toBe(1);

  const closed: number[] = [];
  for (let run = 0; run < 5; run++) {
    const gone = await leader(pages);
    const before = await streams();
    const t0 = Date.now();
    await gone.close();
    pages.splice(pages.indexOf(gone), 1);
    closed.push(await newStreamAfter(t0, before));
    await open();
    await expect.poll(async () => (await streams()).length).toBe(1);
  }

  const hung: number[] = [];
  for (let run = 0; run < 5; run++) {
    const stuck = await leader(pages);
    const before = await streams();
    const t0 = Date.now();
    const hang = stuck.evaluate(() => {
      const end = Date.now() + 4000;
      while (Date.now() < end);
    });
    hung.push(await newStreamAfter(t0, before));
    await hang;
    await expect.poll(async () => (await streams()).length).toBe(1);
  }
  console.log(`leader tab closed → another tab's stream listed (ms): ${summary(closed)}`);
  console.log(`leader tab hung → another tab's stream listed (ms): ${summary(hung)}`);
  await browser.close();
});
