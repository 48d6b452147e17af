import { test, expect } from '@playwright/test';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { e2eRoot } from '../playwright.config';

// A server of its own, so this test can stop and start it.
const root = path.join(e2eRoot, '..', 'e2e-restart');
const exe = path.resolve(e2eRoot, '..', 'release', 'longbox');
const site = path.resolve(e2eRoot, '..', 'site');
const port = 3102;
const base = `http://127.0.0.1:${port}`;

function start(): ChildProcess {
  return spawn(exe, ['--library', path.join(root, 'library'), '--data-dir', path.join(root, 'data'), '--addr', `127.0.0.1:${port}`, '--no-auth'], {
    env: { ...process.env, LEPTOS_SITE_ROOT: site, RUST_LOG: 'warn' },
    stdio: 'inherit',
  });
}

async function healthy() {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not start');
}

async function stop(server: ChildProcess) {
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await exited;
}

test('stopping and starting the server: the dot turns amber/red, then green, and the list is current', async ({ page }) => {
  test.setTimeout(90_000);
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(path.join(root, 'data'), { recursive: true });
  spawnSync(exe, ['demo-library', path.join(root, 'library')]);
  let server = start();
  try {
    await healthy();
    await page.goto(base + '/');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const dot = page.locator('.connection-dot');
    await expect(dot).toHaveAttribute('data-state', 'open');

    await stop(server);
    await expect(dot).toHaveAttribute('data-state', /reconnecting|offline/);
    await expect(dot).toHaveAttribute('title', /Reconnecting since|Offline \(polling\) since/);
    // Change the library while the server is down.
    fs.copyFileSync(path.join(root, 'library', 'Saga', 'Saga #004 (2012).cbz'), path.join(root, 'library', 'Saga', 'Saga #123.cbz'));

    server = start();
    await healthy();
    await expect(dot).toHaveAttribute('data-state', 'open', { timeout: 40_000 });
    await expect(page.locator('tr[data-path="Saga/Saga #123.cbz"]')).toBeVisible();
  } finally {
    if (server.exitCode === null) await stop(server);
  }
});
