import { defineConfig } from '@playwright/test';
import path from 'node:path';

// One server on a fresh demo library for the whole run; tests share it, so they run in order.
const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;
export const e2eRoot = path.resolve(__dirname, '..', 'target', 'e2e');

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: './end2end/serve.sh',
    cwd: '..',
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { E2E_ADDR: `127.0.0.1:${port}`, E2E_ROOT: e2eRoot, RUST_LOG: 'warn' },
  },
});
