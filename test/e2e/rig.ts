// One end-to-end rig per test file: a simulator, the browser bridge over a fresh data folder, and a headless
// Chromium page opened on the bridge's tokenized URL.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBridge, type Bridge } from '../../main/bridge/server.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../main/simulator/index.ts';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../test-results/screenshots');

export interface Rig {
  sim: Simulator;
  bridge: Bridge;
  browser: Browser;
  page: Page;
  dataDir: string;
  /** Console errors and page errors seen so far (a test can assert there were none). */
  errors: string[];
  close(): Promise<void>;
}

export interface RigOptions {
  /** The key the bridge starts with; null = first run without a key. Default 'e2e-key'. */
  apiKey?: string | null;
  simulator?: SimulatorOptions;
  startSimulator?: boolean;
  colorScheme?: 'light' | 'dark';
  /** The browser's language (the UI follows it unless Settings names one). Default en-US. */
  locale?: string;
  viewport?: { width: number; height: number };
}

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const sim = await startSimulator({ port: 0, faults: { latencyMs: 300, jitterMs: 100 }, ...opts.simulator });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'qs-e2e-'));
  const bridge = await startBridge({
    port: 0,
    dataDir,
    apiBase: sim.url,
    apiKey: opts.apiKey === undefined ? 'e2e-key' : opts.apiKey,
    startSimulator: opts.startSimulator ?? false,
    version: '0.0.0-e2e',
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1360, height: 860 },
    colorScheme: opts.colorScheme ?? 'light',
    locale: opts.locale ?? 'en-US',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  await page.goto(bridge.url);
  return {
    sim,
    bridge,
    browser,
    page,
    dataDir,
    errors,
    async close() {
      await browser.close();
      await bridge.close();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The page's globals, typed just enough for the functions these tests run inside the page: this program is
 * typed for Node, and the page's CSP forbids evaluating strings, so they must be real (self-contained)
 * functions that cast `globalThis` themselves.
 */
export interface PageGlobals {
  document: {
    documentElement: { dataset: Record<string, string | undefined> };
    images: ArrayLike<{ complete: boolean }>;
    getAnimations(): { playState: string; constructor: { name: string } }[];
    activeElement: { id: string; tagName: string; getAttribute(name: string): string | null } | null;
  };
}

/** Closes every toast, so screenshots show the area itself. */
export async function dismissToasts(page: Page): Promise<void> {
  const buttons = page.getByRole('button', { name: /^(Dismiss notification|关闭通知)$/ });
  while ((await buttons.count()) > 0) await buttons.first().click();
}

/** The window sizes every screenshot is taken at: a large laptop, a common one, and the smallest supported. */
export const SCREENSHOT_SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 800 },
  { width: 1024, height: 700 },
] as const;

/**
 * Saves `<area>-<theme>-<width>.png` for each size in SCREENSHOT_SIZES, light and dark (the theme setting
 * stays "system"; the emulated colour scheme switches), then puts the window back as it was.
 */
export async function screenshots(page: Page, area: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await dismissToasts(page);
  const original = page.viewportSize();
  for (const size of SCREENSHOT_SIZES) {
    await page.setViewportSize(size);
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await page.waitForFunction(
        (t) => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme === t,
        theme,
      );
      // Pictures must not depend on timing: images loaded, colour transitions finished.
      await page.waitForFunction(() => {
        const doc = (globalThis as unknown as PageGlobals).document;
        return (
          Array.from(doc.images).every((img) => img.complete) &&
          doc
            .getAnimations()
            .every((a) => a.constructor.name !== 'CSSTransition' || a.playState === 'finished')
        );
      });
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${area}-${theme}-${size.width}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (original) await page.setViewportSize(original);
}

export async function openArea(
  page: Page,
  name: 'Compose' | 'Queue' | 'Library' | 'Settings',
): Promise<void> {
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name }).click();
  await page.getByRole('main', { name }).waitFor();
}
