// Everything a mouse does, done from the keyboard: compose, choose a parameter, run, switch areas, open an
// image's details and close them again.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRig, type PageGlobals, type Rig } from './rig.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

interface Focused {
  id: string;
  tag: string;
  type: string | null;
  value: string | null;
  className: string | null;
}

function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = (globalThis as unknown as PageGlobals).document.activeElement;
    return {
      id: el?.id ?? '',
      tag: el?.tagName.toLowerCase() ?? '',
      type: el?.getAttribute('type') ?? null,
      value: el?.getAttribute('value') ?? null,
      className: el?.getAttribute('class') ?? null,
    };
  });
}

/** Presses Tab until the focused element matches; fails if it is not reached within `max` presses. */
async function tabTo(page: Page, what: string, match: (f: Focused) => boolean, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (match(await focused(page))) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${what} was not reached with ${max} presses of Tab`);
}

describe('keyboard only', () => {
  it('composes, runs, and browses the result without a pointer', async () => {
    const { page, bridge } = rig;
    await page.getByRole('main', { name: 'Compose' }).waitFor();

    await tabTo(page, 'the prompt editor', (f) => f.id === 'prompt-editor');
    await page.keyboard.type('a {small|large} {cat|dog}');
    await tabTo(page, 'the format choice', (f) => f.type === 'radio' && f.value === 'png');
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('radio', { name: 'JPEG' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: /^Run 4 jobs/ }).waitFor();

    await page.keyboard.press('Control+Enter');
    await page.getByRole('main', { name: 'Queue' }).waitFor();
    expect((await focused(page)).id).toBe('view-title'); // the new area's heading takes focus
    await page.locator('[role=progressbar][aria-valuetext="4 of 4 done"]').waitFor();
    const [batch] = bridge.studio.batches.list();
    const jobs = internalsOf(bridge.studio).stores.jobs.list({ batchId: batch!.id }).rows;
    expect(jobs.map((j) => [j.prompt, j.input.output_format])).toEqual([
      ['a small cat', 'jpeg'],
      ['a small dog', 'jpeg'],
      ['a large cat', 'jpeg'],
      ['a large dog', 'jpeg'],
    ]);

    await page.keyboard.press('Control+3');
    await page.getByRole('main', { name: 'Library' }).waitFor();
    await page.getByRole('list', { name: 'Images' }).getByRole('img').first().waitFor();
    await tabTo(
      page,
      'the first image',
      (f) => f.tag === 'button' && (f.className ?? '').split(' ').includes('tile'),
    );
    await page.keyboard.press('Enter');
    const details = page.getByRole('complementary', { name: 'Image details' });
    await details.getByText('JPEG', { exact: false }).waitFor();
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });

    await page.keyboard.press('Control+4');
    await page.getByRole('main', { name: 'Settings' }).waitFor();
    await page.keyboard.press('Control+1');
    await page.getByRole('main', { name: 'Compose' }).waitFor();
    expect(rig.errors).toEqual([]);
  });
});
