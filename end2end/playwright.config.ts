import { defineConfig } from '@playwright/test';
import { APEX, PORT, serverEnv } from './tests/support';

// The suite runs twice: hydrated, and with scripting off (every flow must work without
// JavaScript). Debian's Chromium, against the release build of the real server.
export default defineConfig({
  testDir: './tests',
  timeout: 45_000,
  // The whole suite takes about 4 minutes; a stuck run must not eat CI's 90.
  globalTimeout: 20 * 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  // The edge for the custom-domain specs (Caddy, Pebble and its DNS).
  globalSetup: './global-setup.ts',
  use: {
    baseURL: `http://${APEX}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'hydrated', use: { javaScriptEnabled: true } },
    { name: 'no-js', use: { javaScriptEnabled: false } },
  ],
  webServer: {
    command: './target/release/server',
    cwd: '..',
    url: `http://127.0.0.1:${PORT}/api/health`,
    env: serverEnv,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
