/**
 * Playwright Test for the browser ⇄ relay ⇄ kcp-go matrix in e2e/: Debian's
 * Chromium (no browser download), kept off the network by its flags; traces
 * and screenshots kept for failed tests under test-results/. `npx playwright
 * test` runs these alone; `npm test` runs them too and counts them, reading
 * the JSON report it asks for through KCP_WEB_PW_JSON.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './test/helpers/browser.js';

const json = process.env.KCP_WEB_PW_JSON;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  globalSetup: './e2e/global-setup.ts',
  // Two cores shared with the relay, the Go peer and the browser: one test at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'test-results/e2e-report' }],
    ...(json ? [['json', { outputFile: json }] as ['json', { outputFile: string }]] : []),
  ],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [{ name: 'chromium' }],
});
