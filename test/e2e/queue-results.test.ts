// The queue shows results: every finished job's images in the job table (each opens in the Library's
// details), and a batch's images one click away in the Library (from its card, and from the toast that says
// it finished).
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { library } from './library-helpers.ts';
import { openArea, screenshots, startRig, type PageGlobals, type Rig } from './rig.ts';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function runBatch(page: Page, prompt: string, name: string, jobs: number): Promise<void> {
  await openArea(page, 'Compose');
  await page.getByRole('textbox', { name: 'Prompts' }).fill(prompt);
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('button', { name: new RegExp(`^Run ${jobs} jobs?`) }).click();
  await page.getByRole('main', { name: 'Queue' }).waitFor();
  await page
    .locator(`[role=progressbar][aria-label="Progress of ${name}"][aria-valuetext="${jobs} of ${jobs} done"]`)
    .waitFor({ timeout: 30_000 });
}

/** The tiles the Library shows, by their names (the prompts), sorted. */
async function tileNames(page: Page): Promise<string[]> {
  const names = await library(page)
    .grid.getByRole('button')
    .evaluateAll((tiles) => tiles.map((t) => (t as unknown as { title: string }).title));
  return names.sort();
}

describe('the queue shows results', () => {
  it('shows one image per finished job, opens each image and exactly that batch in the Library', async () => {
    rig = await startRig({ simulator: { maxImageSide: 96, faults: { latencyMs: 50 } } });
    const { page } = rig;
    await runBatch(page, 'an old {boat|tram}', 'Other', 2);
    // The toast that says a batch finished leads to its images.
    await page
      .getByRole('status')
      .filter({ hasText: '“Other” finished — 2 of 2 done.' })
      .getByRole('button', { name: 'Open in Library' })
      .click();
    await page.getByRole('main', { name: 'Library' }).waitFor();
    expect(await library(page).search.inputValue()).toBe('batch:#1');
    await expect.poll(() => tileNames(page)).toEqual(['an old boat', 'an old tram']);

    await runBatch(page, 'a {red|blue|green} kite', 'Kites', 3);
    const card = page.getByRole('article', { name: 'Kites' });
    await card.getByRole('button', { name: 'Hide jobs of Kites' }).waitFor(); // a batch just run shows its jobs
    const jobs = card.getByRole('table', { name: 'Jobs' });
    for (const [seq, prompt] of [
      [1, 'a red kite'],
      [2, 'a blue kite'],
      [3, 'a green kite'],
    ] as const) {
      const row = jobs.getByRole('row').filter({ hasText: prompt });
      await row.getByRole('img', { name: `Image 1 of job ${seq}` }).waitFor();
      expect(await row.getByRole('img').count()).toBe(1);
    }
    // Closed and opened again, the table reads the images from the engine (above they arrived as events).
    await card.getByRole('button', { name: 'Hide jobs of Kites' }).click();
    await card.getByRole('button', { name: 'Show jobs of Kites' }).click();
    await expect.poll(() => jobs.getByRole('img').count()).toBe(3);
    // The thumbnails are real pictures, not broken images.
    await expect
      .poll(() =>
        jobs
          .getByRole('img')
          .evaluateAll((imgs) =>
            imgs.every((i) => (i as unknown as { naturalWidth: number; complete: boolean }).naturalWidth > 0),
          ),
      )
      .toBe(true);
    await screenshots(page, 'queue-results');

    // A thumbnail opens its own image in the Library: the batch's search, that tile selected, its details
    // open. By a click, and from the keyboard (Enter, Space) on the focused thumbnail.
    const details = library(page).details;
    const opened = async (prompt: string) => {
      await page.getByRole('main', { name: 'Library' }).waitFor();
      expect(await library(page).search.inputValue()).toBe('batch:#2');
      await details.getByText(prompt, { exact: true }).first().waitFor();
      await expect.poll(() => library(page).tile(prompt).getAttribute('aria-pressed')).toBe('true');
    };
    await jobs.getByRole('button', { name: 'Open image 1 of job 2 in the Library' }).click();
    await opened('a blue kite');
    for (const [key, seq, prompt] of [
      ['Enter', 3, 'a green kite'],
      ['Space', 1, 'a red kite'],
    ] as const) {
      await openArea(page, 'Queue');
      await jobs.getByRole('button', { name: `Open image 1 of job ${seq} in the Library` }).focus();
      await page.keyboard.press(key);
      await opened(prompt);
    }
    await openArea(page, 'Queue');

    await card.getByRole('button', { name: 'Open in Library' }).click();
    await page.getByRole('main', { name: 'Library' }).waitFor();
    expect(await library(page).search.inputValue()).toBe('batch:#2');
    expect(await details.count()).toBe(0); // the batch's images, no image's details
    await expect.poll(() => tileNames(page)).toEqual(['a blue kite', 'a green kite', 'a red kite']);
    await expect.poll(() => library(page).count()).toBe(3);
    await page.waitForFunction(() =>
      Array.from((globalThis as unknown as PageGlobals).document.images).every((i) => i.complete),
    );
    await screenshots(page, 'library-batch');

    // A new concurrency says it applies now (the engine's limit follows at once: steering.test.ts).
    await openArea(page, 'Settings');
    await page.getByRole('spinbutton', { name: 'Generations at once' }).fill('3');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Applied now: the next generations sent use up to 3 at once, no restart needed' })
      .waitFor();
    expect(rig.bridge.studio.queue.status().limit).toBe(3);
    await screenshots(page, 'settings-concurrency');
    expect(rig.errors).toEqual([]);
  });
});
