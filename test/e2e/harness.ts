import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import {
  projectRoot,
  startWorker,
  type RunningWorker,
  type StartOptions,
} from '../../scripts/lib/run-worker';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep Chromium off the (closed) network and quiet in a sandbox. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. Install it with: apt-get install -y chromium`,
    );
  }
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 900 } });
}

/** Screenshots land here; CI keeps the folder as an artifact-friendly path. */
export function screenshotPath(name: string): string {
  const dir = join(projectRoot, 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

export async function startTestWorker(options: StartOptions = {}): Promise<RunningWorker> {
  return startWorker({ ...options, vars: { LOG_LEVEL: 'warn', ...options.vars } });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A worker and Chromium for one test file: started before its tests, stopped after them. The
 * handles are filled in by the time the tests run.
 */
export function useWorkerAndBrowser(options: StartOptions = {}): {
  worker: RunningWorker;
  browser: Browser;
} {
  const handles = {} as { worker: RunningWorker; browser: Browser };
  beforeAll(async () => {
    handles.worker = await startTestWorker(options);
    handles.browser = await launchBrowser();
  });
  afterAll(async () => {
    await handles.browser?.close();
    await handles.worker?.dispose();
  });
  return handles;
}
