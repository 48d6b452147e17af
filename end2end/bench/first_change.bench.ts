import { test, expect } from '@playwright/test';
import { copyComic, openLive, row, setAutoProcess } from '../tests/helpers';

// How soon a change on disk shows in an open library page, and how many list fetches a burst
// costs. Prints the figures (docs/performance.md); asserts only that the changes arrived.

test('first change after a quiet spell, and a burst', async ({ page, request }) => {
  await setAutoProcess(request, false);
  await openLive(page, '/?search=bench');
  const fetches: number[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/files') fetches.push(Date.now());
  });
  const firsts: number[] = [];
  for (let i = 0; i < 10; i++) {
    await page.waitForTimeout(1500); // a quiet spell
    const name = `Bench/bench single ${Date.now()}-${i}.cbz`;
    // When the row appears, by the page's clock (the same machine's).
    const seen = page.evaluate(
      (path) =>
        new Promise<number>((resolve) => {
          const done = () => document.querySelector(`tr[data-path="${path}"]`) && resolve(Date.now());
          new MutationObserver(done).observe(document.body, { childList: true, subtree: true });
          done();
        }),
      name,
    );
    const t0 = Date.now();
    copyComic(name);
    const shown = await seen;
    firsts.push(shown - t0);
    await expect(row(page, name)).toBeVisible();
  }
  await page.waitForTimeout(1500);
  const before = fetches.length;
  const burst = Array.from({ length: 20 }, (_, i) => `Bench/bench burst ${Date.now()}-${i}.cbz`);
  for (const name of burst) copyComic(name);
  for (const name of burst) await expect(row(page, name)).toBeVisible();
  await page.waitForTimeout(1500);
  const sorted = [...firsts].sort((a, b) => a - b);
  console.log(
    `first change on disk → row shown (10 runs, ms): median ${sorted[5]}, min ${sorted[0]}, max ${sorted[9]}; ` +
      `list fetches for a burst of 20 new files: ${fetches.length - before}`,
  );
});

test('an event → the list refetched and shown', async ({ page, request }) => {
  await openLive(page, '/');
  const gaps: number[] = [];
  for (let i = 0; i < 10; i++) {
    await page.waitForTimeout(1500);
    const fetched = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/files');
    const t0 = Date.now();
    await request.post('/api/events/broadcast', { data: { type: 'cache_updated', data: { rebuild_complete: true, message: 'bench' } } });
    await (await fetched).finished();
    gaps.push(Date.now() - t0);
  }
  const sorted = [...gaps].sort((a, b) => a - b);
  console.log(`event published → list page fetched (10 runs, ms): median ${sorted[5]}, min ${sorted[0]}, max ${sorted[9]}`);
});
