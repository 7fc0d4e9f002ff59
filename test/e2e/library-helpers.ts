// What the library's end-to-end tests share: making images through the real queue, and reading what the
// Library area shows (its match count, its tiles) the way a person would.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { internalsOf } from '../../main/engine/internals.ts';
import { bulkTestHooks } from '../../main/engine/services/bulk.ts';
import type { Studio } from '../../main/engine/studio.ts';
import type { BatchSpec } from '../../shared/domain.ts';

/** Runs a batch through the simulator and resolves once every job is done. */
export async function generate(studio: Studio, spec: BatchSpec): Promise<number> {
  const { batchId } = studio.batches.create(spec);
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      const b = studio.batches.find(batchId);
      if (!b || b.status === 'active') return;
      studio.off('batch', check);
      if (b.status === 'done' && b.counts.done === b.total) resolve();
      else reject(new Error(`batch ${batchId} ended ${b.status} with ${JSON.stringify(b.counts)}`));
    };
    studio.on('batch', check);
    check();
  });
  return batchId;
}

/**
 * Holds every bulk action of the studio's library once it has gone through `at` images (`chunk` at a time),
 * until `cancel` or `release`. `stop` takes the hold away for the actions after.
 */
export function holdBulkAt(studio: Studio, at: number, chunk: number) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const lib = internalsOf(studio).library;
  bulkTestHooks.set(lib, {
    chunk,
    beforeChunk: async (p) => {
      if (p.done === at) await held;
    },
  });
  return {
    release,
    /**
     * Clicks the task's Cancel and lets the held action go once the engine has the cancel: the click only
     * sends it, and an action let go before would run on to the end (as one did on a loaded machine).
     */
    async cancel(button: Locator): Promise<void> {
      await button.click();
      await expect
        .poll(() => studio.tasks.list().some((t) => t.message === 'Canceling…'), { timeout: 30_000 })
        .toBe(true);
      release();
    },
    stop: () => bulkTestHooks.delete(lib),
  };
}

export function library(page: Page) {
  const main = page.getByRole('main', { name: 'Library' });
  const grid = page.getByRole('list', { name: 'Images' });
  const search = page.getByRole('searchbox', { name: 'Search prompts' });
  return {
    main,
    grid,
    search,
    bulk: page.getByRole('toolbar', { name: 'Selected images' }),
    details: page.getByRole('complementary', { name: 'Image details' }),
    rail: page.getByRole('navigation', { name: 'Library views' }),
    /** The match count under the title ("12 images"), as a number. */
    async count(): Promise<number | null> {
      const text = await main
        .locator('.view__subtitle')
        .textContent({ timeout: 2000 })
        .catch(() => null);
      const m = /^([\d,]+) images?$/.exec(text?.trim() ?? '');
      return m ? Number(m[1]!.replace(/,/g, '')) : null;
    },
    /** Types a search and waits until the grid shows `n` matches (count and tiles agree). */
    async searchFor(text: string, n: number): Promise<void> {
      await search.fill(text);
      await expect.poll(() => this.count(), { message: `matches for "${text}"` }).toBe(n);
      if (n === 0) await main.getByText('Nothing matches').waitFor();
      else
        await expect.poll(() => grid.getByRole('button').count(), { message: `tiles for "${text}"` }).toBe(n);
    },
    tile(name: string) {
      return grid.getByRole('button', { name, exact: true });
    },
  };
}
