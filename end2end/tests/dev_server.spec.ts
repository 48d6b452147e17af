import { test, expect } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { e2eRoot } from '../playwright.config';
import { ownServer } from './own_server';

// The README's development command, `make dev` (`cargo leptos watch --split` with the server's
// flags), serves a page that hydrates and is connected to cargo-leptos's reload server.
// `DEV_FLAGS=--release` makes the watch reuse what `make build` just built (a debug build of
// the server and the WASM would cost CI minutes); the command and flags are otherwise those
// the README gives.

const repo = path.resolve(e2eRoot, '..', '..');
const port = 3305;
const reloadPort = 3306;
const own = ownServer('e2e-dev', port);

/** Ends `make dev` and everything it started (cargo-leptos, the server): Ctrl+C to the group. */
async function stop(dev: ChildProcess) {
  if (dev.exitCode !== null || dev.signalCode !== null) return;
  const exited = new Promise((r) => dev.once('exit', r));
  process.kill(-dev.pid!, 'SIGINT');
  const late = setTimeout(() => process.kill(-dev.pid!, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(late);
}

test('`make dev` serves a page that hydrates, with live reload', async ({ page }) => {
  // cargo-leptos checks the build (nothing to compile after `make build`), redoes the WASM
  // post-processing (split, bindgen, wasm-opt) and starts the server.
  test.setTimeout(20 * 60_000);
  own.prepare();
  const dev = spawn(
    'make',
    // `-o setup`: the suite already runs on an installed machine, and `npm ci` must not
    // replace node_modules under the running Playwright.
    ['-o', 'setup', 'dev', 'DEV_FLAGS=--release', `ADDR=127.0.0.1:${port}`, `LIBRARY=${own.root}/library`, `DATA_DIR=${own.root}/data`],
    {
      cwd: repo,
      detached: true, // its own process group, so `stop` reaches cargo-leptos and the server
      stdio: 'inherit',
      env: { ...process.env, LONGBOX_NO_AUTH: '1', LEPTOS_RELOAD_PORT: String(reloadPort), RUST_LOG: 'warn' },
    },
  );
  try {
    const exited = new Promise<never>((_, reject) =>
      dev.once('exit', (code) => reject(new Error(`make dev exited (${code}) before serving`))),
    );
    const served = (async () => {
      for (;;) {
        try {
          if ((await fetch(`${own.base}/api/health`)).ok) return;
        } catch {}
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    await Promise.race([served, exited]);

    const reload = page.waitForEvent('websocket', (ws) => ws.url() === `ws://127.0.0.1:${reloadPort}/live_reload`);
    await page.goto(own.base + '/');
    await expect(page.locator('h1')).toHaveText('Library');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await expect(page.locator('.connection-dot')).toHaveAttribute('data-state', 'open');
    await reload;
    // Hydrated means interactive: the theme toggle answers a click.
    const toggle = page.locator('button.theme-toggle');
    const before = await toggle.getAttribute('data-theme');
    await toggle.click();
    await expect(toggle).not.toHaveAttribute('data-theme', before ?? '');
    // A lazy island (its own WASM chunk, made by `--split`) hydrates too.
    await page.goto(own.base + '/settings');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  } finally {
    await stop(dev);
  }
});
