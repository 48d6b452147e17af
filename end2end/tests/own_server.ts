import { test } from '@playwright/test';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { e2eRoot } from '../playwright.config';

const exe = path.resolve(e2eRoot, '..', 'release', 'longbox');
const site = path.resolve(e2eRoot, '..', 'site');

/** A release Longbox of a spec's own (for specs that stop it, or need other flags than the
 * suite's default server): a fresh demo library under `target/<name>`, on `port`. */
export function ownServer(name: string, port: number, extraArgs: string[] = []) {
  const root = path.join(e2eRoot, '..', name);
  const base = `http://127.0.0.1:${port}`;
  return {
    root,
    base,
    /** Fresh data dir and demo library. */
    prepare() {
      fs.rmSync(root, { recursive: true, force: true });
      fs.mkdirSync(path.join(root, 'data'), { recursive: true });
      spawnSync(exe, ['demo-library', path.join(root, 'library')]);
    },
    start(): ChildProcess {
      const args = ['--library', path.join(root, 'library'), '--data-dir', path.join(root, 'data'), '--addr', `127.0.0.1:${port}`, ...extraArgs];
      return spawn(exe, args, {
        env: { ...process.env, LEPTOS_SITE_ROOT: site, RUST_LOG: 'warn' },
        stdio: 'inherit',
      });
    },
    /** Resolves once `/api/health` answers. */
    async healthy() {
      for (let i = 0; i < 200; i++) {
        try {
          if ((await fetch(`${base}/api/health`)).ok) return;
        } catch {}
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('server did not start');
    },
    /** SIGTERM, then waits for the exit. */
    async stop(server: ChildProcess) {
      if (server.exitCode !== null) return;
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    },
  };
}

/** Serves `own` (fresh) to the tests of the calling file or describe block: started before the
 * first, stopped after the last. */
export function serveDuring(own: ReturnType<typeof ownServer>) {
  let server: ChildProcess | undefined;
  test.beforeAll(async () => {
    own.prepare();
    server = own.start();
    await own.healthy();
  });
  test.afterAll(async () => {
    if (server) await own.stop(server);
  });
}
