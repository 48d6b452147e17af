import { test, expect, Page } from '@playwright/test';
import { copyComic, row, setAutoProcess } from './helpers';

// The page the server sends is the real page: the list (as the URL asks), the watcher state
// and the jobs are in its HTML, the browser starts from that state without fetching it again,
// and the live connection resumes from the event the page was rendered at.

/** What a reader sees of the library page. */
async function visible(page: Page) {
  return {
    summary: await page.locator('.library .summary').innerText(),
    rows: await page.locator('tbody tr[data-path]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-path'))),
    watcher: await page.locator('.watcher-pill').getAttribute('data-state'),
    perPage: await page.locator('select[data-action="per_page"]').inputValue(),
    sort: await page.locator('select[data-action="sort"]').inputValue(),
    search: await page.locator('input.search').inputValue(),
  };
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the list, the watcher and the query are readable', async ({ page }) => {
    await page.goto('/?sort=size&direction=desc&per_page=25&search=saga');
    const seen = await visible(page);
    expect(seen.rows.length).toBeGreaterThan(0);
    expect(seen.rows.every((p) => p!.toLowerCase().includes('saga'))).toBeTruthy();
    expect(seen.summary).toMatch(/^\d+ files · \d+ unprocessed$/);
    expect(seen.watcher).not.toBe('unknown');
    expect(seen).toMatchObject({ perPage: '25', sort: 'size', search: 'saga' });
  });
});

test('hydration changes nothing visible and fetches nothing again', async ({ browser }) => {
  const url = '/?sort=name&per_page=25&page=2';
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const server = await noJs.newPage();
  await server.goto(url);
  const rendered = await visible(server);
  await noJs.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (['/api/files', '/api/jobs', '/api/watcher/status'].includes(u.pathname)) fetched.push(u.pathname);
  });
  await page.goto(url);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
  expect(await visible(page)).toEqual(rendered);
  expect(fetched).toEqual([]);
  await context.close();
});

test('the live connection resumes from the event the page was rendered at', async ({ page, request }) => {
  await setAutoProcess(request, false);
  // Hold the WASM back: a comic added after the page was rendered, before it hydrated, must
  // still reach the list (replayed from the render's id), not be lost in between.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/pkg/longbox.wasm', async (route) => {
    await held;
    await route.continue();
  });
  const streams: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/events/stream')) streams.push(r.url());
  });
  await page.goto('/?search=late');
  const state = JSON.parse((await page.locator('#page-state').textContent()) ?? '{}');
  expect(typeof state.event_id).toBe('number');
  const name = `Late/late arrival ${Date.now()}.cbz`;
  copyComic(name);
  // The server has seen it (its own event id moved on) before the page may hydrate.
  await expect.poll(async () => (await (await request.get('/api/events/stats')).json()).newest_event_id).toBeGreaterThan(state.event_id);
  release();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(row(page, name)).toBeVisible();
  expect(streams).toHaveLength(1);
  expect(new URL(streams[0]).searchParams.get('last_event_id')).toBe(String(state.event_id));
});
