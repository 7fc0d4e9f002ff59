// What the library's end-to-end tests share: making images through the real queue, and reading what the
// Library area shows (its match count, its tiles) the way a person would.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
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
