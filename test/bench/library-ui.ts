// How the Library area feels on a large library, measured in a real browser: the bridge serves a data
// folder, headless Chromium opens the UI, and the page itself measures
//   - first_thumb_ms: from the click on "Library" until the first grid thumbnail has been painted (Element
//     Timing's renderTime; where the browser reports none, the image decoded plus the next frame);
//   - scrolling: the grid scrolled programmatically for ~3 s; every requestAnimationFrame delta is a frame.
//
//   npm run bench -- library-ui [--dir <data dir>] [--assets 100000] [--scroll-ms 3000]
//
// Without --dir, a library of --assets images is built first with the library bench's builder (and removed
// afterwards). Its images are real files: the builder writes 21 small images (one per aspect ratio and
// format) that its rows point at, so every tile asks the engine for a real thumbnail, made on demand from a
// real file — nothing is faked in the product. Thumbnails are keyed by each image's content hash, so each
// synthetic asset gets (and pays for) its own thumbnail the first time it is shown: `first_thumb_ms` is the
// cold figure unless `thumbs_cached_at_start` says otherwise, and `first_thumb_warm_ms` is a reload with
// the thumbnails on disk and in the browser's cache. The sources are ~256 px, smaller than real renders
// (1–2 MP), so a cold thumbnail of a real library costs more than measured here; warm figures do not
// depend on it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBridge } from '../../main/bridge/server.ts';
import { Library } from '../../main/engine/library/library.ts';
import { openDatabase } from '../../main/engine/store/db.ts';
import { CHROMIUM_ARGS } from '../e2e/rig.ts';
import { build } from './library.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Just enough of the page's globals for the functions that run inside it (this file is typed for Node). */
interface PageScope {
  performance: { now(): number };
  requestAnimationFrame(fn: () => void): number;
  setTimeout(fn: () => void, ms: number): number;
  PerformanceObserver: new (
    cb: (list: { getEntries(): { identifier?: string; renderTime?: number; loadTime?: number }[] }) => void,
  ) => {
    observe(o: { type: string; buffered: boolean }): void;
    disconnect(): void;
  };
  document: {
    querySelector(sel: string): PageElement | null;
    querySelectorAll(sel: string): ArrayLike<PageElement>;
  };
}
interface PageElement {
  textContent: string | null;
  complete?: boolean;
  naturalWidth?: number;
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
  click(): void;
  decode?(): Promise<void>;
  getBoundingClientRect(): { top: number; bottom: number };
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
}
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    n += e.isDirectory() ? countFiles(join(dir, e.name)) : 1;
  return n;
}

/** Opens the Library from another area and resolves with ms until the first thumbnail was painted. */
function openLibraryAndTime(page: Page): Promise<{ ms: number; source: string }> {
  return page.evaluate(
    () =>
      new Promise<{ ms: number; source: string }>((resolvePromise, reject) => {
        const g = globalThis as unknown as PageScope;
        const doc = g.document;
        let done = false;
        const finish = (at: number, source: string) => {
          if (done) return;
          done = true;
          resolvePromise({ ms: at - t0, source });
        };
        const po = new g.PerformanceObserver((list) => {
          for (const e of list.getEntries()) {
            if (e.identifier !== 'thumb') continue;
            const at = e.renderTime || 0;
            if (at > 0) finish(at, 'element-timing');
            po.disconnect();
            return;
          }
        });
        po.observe({ type: 'element', buffered: false });
        // The fallback: the first thumbnail loaded and decoded, then the frame that shows it.
        const poll = () => {
          if (done) return;
          const img = doc.querySelector('img[elementtiming="thumb"]');
          if (img?.complete && (img.naturalWidth ?? 0) > 0 && img.decode) {
            void img
              .decode()
              .then(() =>
                g.requestAnimationFrame(() =>
                  g.requestAnimationFrame(() => finish(g.performance.now(), 'decode+raf')),
                ),
              );
            return;
          }
          g.requestAnimationFrame(poll);
        };
        const nav = Array.from(doc.querySelectorAll('nav[aria-label="Areas"] button')).find((b) =>
          (b.textContent ?? '').includes('Library'),
        );
        if (!nav) return reject(new Error('the Library button is not on the page'));
        const t0 = g.performance.now();
        nav.click();
        g.requestAnimationFrame(poll);
        g.setTimeout(() => reject(new Error('no thumbnail was painted within 60 s')), 60_000);
      }),
  );
}

/** Scrolls the grid by `step` px a frame for `ms` and returns every frame's duration. */
function scrollAndTime(
  page: Page,
  ms: number,
  step: number,
): Promise<{ deltas: number[]; scrolled: number; tiles: number; loadedInView: number; inView: number }> {
  return page.evaluate(
    ([ms, step]) =>
      new Promise((resolvePromise) => {
        const g = globalThis as unknown as PageScope;
        const el = g.document.querySelector('.grid-scroll')!;
        const deltas: number[] = [];
        const start = g.performance.now();
        let last = start;
        const frame = () => {
          const now = g.performance.now();
          deltas.push(now - last);
          last = now;
          el.scrollTop += step;
          if (now - start < ms) {
            g.requestAnimationFrame(frame);
            return;
          }
          // How many of the thumbnails in view had arrived when scrolling stopped.
          const box = el.getBoundingClientRect();
          const imgs = Array.from(g.document.querySelectorAll('.grid-scroll img')).filter((i) => {
            const r = i.getBoundingClientRect();
            return r.bottom > box.top && r.top < box.bottom;
          });
          resolvePromise({
            deltas: deltas.slice(1), // the first "frame" is the wait for the first callback
            scrolled: el.scrollTop,
            tiles: g.document.querySelectorAll('.grid-scroll [data-id]').length,
            loadedInView: imgs.filter((i) => i.complete && (i.naturalWidth ?? 0) > 0).length,
            inView: imgs.length,
          });
        };
        g.requestAnimationFrame(frame);
      }),
    [ms, step] as const,
  );
}

/**
 * The browser's own CPU time (thread time, not wall time) while `run` scrolls, per frame and by thread: a
 * figure that a busy machine inflates far less than frame times, so runs on a shared machine compare.
 */
async function cpuWhile<T>(
  browser: Browser,
  page: Page,
  run: () => Promise<T & { deltas: number[] }>,
): Promise<{ out: T & { deltas: number[] }; main: number; raster: number; compositor: number }> {
  await browser.startTracing(page, {
    categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'],
  });
  const out = await run();
  const trace = JSON.parse((await browser.stopTracing()).toString()) as {
    traceEvents: {
      ph: string;
      name: string;
      pid: number;
      tid: number;
      dur?: number;
      tdur?: number;
      args?: { name?: string };
    }[];
  };
  const names = new Map<string, string>();
  for (const e of trace.traceEvents)
    if (e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  const sum = { main: 0, raster: 0, compositor: 0 };
  for (const e of trace.traceEvents) {
    if (e.ph !== 'X' || !['RunTask', 'RasterTask', 'ImageDecodeTask'].includes(e.name)) continue;
    const thread = names.get(`${e.pid}:${e.tid}`) ?? '';
    const ms = (e.tdur ?? e.dur ?? 0) / 1000;
    if (thread === 'CrRendererMain') sum.main += ms;
    else if (thread.startsWith('ThreadPoolForegroundWorker')) sum.raster += ms;
    else if (thread === 'Compositor' || thread === 'VizCompositorThread') sum.compositor += ms;
  }
  const frames = Math.max(1, out.deltas.length);
  return {
    out,
    main: sum.main / frames,
    raster: sum.raster / frames,
    compositor: sum.compositor / frames,
  };
}

async function buildLibrary(n: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'qs-library-ui-'));
  const db = openDatabase(join(dir, 'studio.db'));
  db.pragma('cache_size = -262144');
  await build(db, n, dir);
  new Library(db, dir).maintain(2000);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return dir;
}

export async function libraryUiBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: { dir: { type: 'string' }, assets: { type: 'string' }, 'scroll-ms': { type: 'string' } },
    strict: true,
  });
  const n = Number(values.assets ?? 100_000);
  const scrollMs = Number(values['scroll-ms'] ?? 3000);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--assets must be a positive whole number, got ${values.assets}`);
  if (!(scrollMs > 0)) throw new Error(`--scroll-ms must be a positive number, got ${values['scroll-ms']}`);

  // The UI the bridge serves: built now, so the figures are for the sources as they are.
  const vite = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'renderer', '--logLevel', 'error'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (vite.status !== 0)
    throw new Error('The renderer build failed: run `npx vite build renderer` to see why.');

  let built: string | null = null;
  const t0 = performance.now();
  const dataDir = values.dir ? resolve(values.dir) : (built = await buildLibrary(n));
  const buildSeconds = built ? round((performance.now() - t0) / 1000) : null;
  if (!existsSync(join(dataDir, 'studio.db')))
    throw new Error(`No library at ${dataDir} (studio.db is missing).`);
  const thumbsAtStart = countFiles(join(dataDir, 'thumbs'));

  // A key (never used: the library has no queued work) so the page opens on the areas, not on first run.
  const bridge = await startBridge({
    port: 0,
    dataDir,
    apiKey: 'bench-key',
    apiBase: 'http://127.0.0.1:9',
    version: 'bench',
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const assets = bridge.studio.library.count('');
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // tsx compiles this file keeping function names through a `__name` helper, which the functions sent to
    // the page then call: give the page a no-op one.
    await page.addInitScript(() => {
      (globalThis as unknown as { __name: (f: unknown) => unknown }).__name = (f: unknown) => f;
    });
    await page.goto(bridge.url);
    await page.getByRole('main', { name: 'Compose' }).waitFor({ timeout: 120_000 });
    // The page's start-up calls (the queue's batch list, collections…) finish first: this measures the
    // Library, not the start-up still running on the same engine.
    await page.waitForLoadState('networkidle');
    const cold = await openLibraryAndTime(page);
    // Let the first screen settle before scrolling (the cold thumbnails of the rows just below).
    await page.waitForTimeout(500);
    const scroll = await scrollAndTime(page, scrollMs, 40);

    await page.reload();
    await page.getByRole('main', { name: 'Compose' }).waitFor({ timeout: 120_000 });
    await page.waitForLoadState('networkidle');
    const warm = await openLibraryAndTime(page);
    await page.waitForTimeout(500);
    // The same distance again, with those thumbnails made: what scrolling back through a library costs.
    const cpu = await cpuWhile(browser, page, () => scrollAndTime(page, scrollMs, 40));
    const again = cpu.out;
    if (errors.length) throw new Error(`The page reported errors: ${errors.slice(0, 3).join(' | ')}`);
    return {
      assets,
      first_thumb_ms: round(cold.ms),
      first_thumb_warm_ms: round(warm.ms),
      first_thumb_source: cold.source,
      thumbs_cached_at_start: thumbsAtStart,
      scroll_frames: scroll.deltas.length,
      frame_p50_ms: round(percentile(scroll.deltas, 50)),
      frame_p95_ms: round(percentile(scroll.deltas, 95)),
      frame_max_ms: round(Math.max(0, ...scroll.deltas)),
      long_frames: scroll.deltas.filter((d) => d > 50).length,
      scrolled_px: Math.round(scroll.scrolled),
      tiles_in_page: scroll.tiles,
      thumbs_in_view_loaded: `${scroll.loadedInView}/${scroll.inView}`,
      warm_scroll_frames: again.deltas.length,
      warm_frame_p95_ms: round(percentile(again.deltas, 95)),
      warm_long_frames: again.deltas.filter((d) => d > 50).length,
      warm_frame_max_ms: round(Math.max(0, ...again.deltas)),
      // Thread CPU per frame while scrolling warm: what the grid costs, whatever else the machine runs.
      warm_cpu_main_ms_per_frame: round(cpu.main, 2),
      warm_cpu_raster_ms_per_frame: round(cpu.raster, 2),
      warm_cpu_compositor_ms_per_frame: round(cpu.compositor, 2),
      load_average: round(loadavg()[0] ?? 0, 1),
      ...(buildSeconds !== null ? { build_seconds: buildSeconds } : { data_dir: dataDir }),
    };
  } finally {
    await browser.close();
    await bridge.close();
    if (built) rmSync(built, { recursive: true, force: true });
  }
}
