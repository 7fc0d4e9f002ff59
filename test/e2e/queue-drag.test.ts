// Reordering waiting batches by drag and drop in the Queue: dropped on the upper half of a card a batch goes
// just before it, on the lower half just after; the queue then runs them in that order (simulator ledger).
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { SCREENSHOT_DIR, dismissToasts, openArea, screenshots, startRig, type Rig } from './rig.ts';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function queueBatch(page: Page, prompt: string, name: string): Promise<void> {
  await openArea(page, 'Compose');
  await page.getByRole('textbox', { name: 'Prompts' }).fill(prompt);
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('button', { name: /^Run 1 job/ }).click();
  await page.getByRole('main', { name: 'Queue' }).waitFor();
  // Collapsed cards keep the test's drops on the cards themselves.
  await page.getByRole('button', { name: `Hide jobs of ${name}` }).click();
}

const grip = (page: Page, name: string) =>
  page
    .getByRole('article', { name })
    .getByTitle(`Drag to move ${name} in the queue (the arrow buttons do the same from the keyboard)`);

async function dropOn(page: Page, name: string, target: string, half: 'upper' | 'lower'): Promise<void> {
  const card = page.getByRole('article', { name: target });
  const box = (await card.boundingBox())!;
  await grip(page, name).dragTo(card, {
    targetPosition: { x: box.width / 2, y: half === 'upper' ? 8 : box.height - 8 },
  });
}

const order = (page: Page) => page.locator('article.batch h2').allTextContents();

describe('drag and drop in the queue', () => {
  it('moves a waiting batch before or after another, and the queue runs them in that order', async () => {
    rig = await startRig({ simulator: { maxImageSide: 96, faults: { latencyMs: 50 } } });
    const { page, sim, bridge } = rig;
    bridge.studio.settings.update({ concurrency: 1 });
    await openArea(page, 'Queue');
    await page.getByRole('button', { name: 'Pause queue' }).click();
    await queueBatch(page, 'first in line', 'Early');
    await queueBatch(page, 'second in line', 'Middle');
    await queueBatch(page, 'third in line', 'Late');
    await expect.poll(() => order(page)).toEqual(['Early', 'Middle', 'Late']);

    // Held over the upper half of a card, a line shows where the batch will land.
    const early = (await page.getByRole('article', { name: 'Early' }).boundingBox())!;
    await dismissToasts(page);
    await grip(page, 'Late').hover();
    await page.mouse.down();
    await page.mouse.move(early.x + early.width / 2, early.y + 10, { steps: 8 });
    await page.getByRole('article', { name: 'Early' }).and(page.locator('.batch--drop-before')).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'queue-drag-indicator-light.png') });
    await page.mouse.up();
    await page.getByText('Late is now number 1 in the queue.').waitFor();
    await expect.poll(() => order(page)).toEqual(['Late', 'Early', 'Middle']);

    await dropOn(page, 'Early', 'Middle', 'lower');
    await page.getByText('Early is now number 3 in the queue.').waitFor();
    await expect.poll(() => order(page)).toEqual(['Late', 'Middle', 'Early']);
    await screenshots(page, 'queue-drag');

    await page.getByRole('button', { name: 'Resume queue' }).click();
    await page
      .locator('[role=progressbar][aria-label="Progress of Early"][aria-valuetext="1 of 1 done"]')
      .waitFor({ timeout: 30_000 });
    expect(sim.ledger.generations.map((g) => g.prompt)).toEqual([
      'third in line',
      'second in line',
      'first in line',
    ]);
    expect(rig.errors).toEqual([]);
  });
});
