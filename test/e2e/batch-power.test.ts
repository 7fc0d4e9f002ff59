// Batch power in the browser: a 3×2 sweep and its labelled grid, a wildcard batch, moving a batch to the
// top, editing a queued job before it is sent, and continuing a batch paused at its budget.
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openArea, screenshots, startRig, type Rig } from './rig.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function compose(page: Page, prompt: string, name: string): Promise<void> {
  await openArea(page, 'Compose');
  await page.getByRole('textbox', { name: 'Prompts' }).fill(prompt);
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
}

async function run(page: Page, jobs: number): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`^Run ${jobs} jobs?`) }).click();
  await page.getByRole('main', { name: 'Queue' }).waitFor();
}

const finished = (page: Page, name: string, n: number) =>
  page
    .locator(`[role=progressbar][aria-label="Progress of ${name}"][aria-valuetext="${n} of ${n} done"]`)
    .waitFor({ timeout: 30_000 });

describe('sweeps', () => {
  it('runs a 3×2 sweep and shows its grid with the right labelled cells', async () => {
    rig = await startRig({ simulator: { maxImageSide: 96, faults: { latencyMs: 50 } } });
    const { page, sim } = rig;
    await compose(page, 'a lighthouse at dusk', 'Sweep');
    await page.getByRole('button', { name: 'Add an axis' }).click();
    await page.getByRole('combobox', { name: 'Parameter of axis X' }).selectOption('aspect_ratio');
    await page.getByRole('textbox', { name: 'Values of axis X' }).fill('1:1, 16:9, 9:16');
    await page.getByRole('button', { name: 'Add an axis' }).click();
    await page.getByRole('combobox', { name: 'Parameter of axis Y' }).selectOption('output_format');
    await page.getByRole('textbox', { name: 'Values of axis Y' }).fill('png, jpeg');
    await page.getByRole('button', { name: /^Run 6 jobs/ }).waitFor();
    await screenshots(page, 'compose-sweep');
    await run(page, 6);
    await finished(page, 'Sweep', 6);
    const sent = sim.ledger.generations.map(
      (g) => `${String(g.input.aspect_ratio)}/${String(g.input.output_format)}`,
    );
    expect(sent.sort()).toEqual(['16:9/jpeg', '16:9/png', '1:1/jpeg', '1:1/png', '9:16/jpeg', '9:16/png']);

    await page.getByRole('article', { name: 'Sweep' }).getByRole('button', { name: 'Open grid' }).click();
    const grid = page.getByRole('table', { name: 'Sweep grid — Sweep' });
    await grid.waitFor();
    expect(await grid.getByRole('columnheader').allTextContents()).toEqual([
      'Y: Format \\ X: Aspect ratio',
      '1:1',
      '16:9',
      '9:16',
    ]);
    expect(await grid.getByRole('rowheader').allTextContents()).toEqual(['png', 'jpeg']);
    await expect.poll(() => grid.getByRole('img').count()).toBe(6);
    await grid.getByRole('img', { name: '16:9 · jpeg' }).waitFor();
    await screenshots(page, 'sweep-grid');
    expect(rig.errors).toEqual([]);
  });
});

describe('wildcards', () => {
  it('saves a wildcard from the app and runs a batch that uses it', async () => {
    rig = await startRig({ simulator: { maxImageSide: 96, faults: { latencyMs: 50 } } });
    const { page, sim } = rig;
    await openArea(page, 'Compose');
    await page.getByRole('button', { name: 'Template syntax' }).click();
    await page.getByText('every line of the wildcard file colors').waitFor();
    await screenshots(page, 'template-syntax');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Wildcards…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Wildcards' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('colors');
    await dialog.getByRole('textbox', { name: 'Options' }).fill('# paint\nred\nblue\n{pale|deep} green');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('button', { name: /__colors__\s*3 options/ }).waitFor();
    await dialog.getByRole('textbox', { name: 'Name' }).fill('broken');
    await dialog.getByRole('textbox', { name: 'Options' }).fill('ok\n{not closed');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: "wildcards/broken.txt, line 2: unclosed '{'" })
      .waitFor();
    await screenshots(page, 'wildcards');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await compose(page, 'a __colors__ car', 'Colours');
    await page.getByRole('button', { name: /^Run 4 jobs/ }).waitFor();
    await run(page, 4);
    await finished(page, 'Colours', 4);
    expect(sim.ledger.generations.map((g) => g.prompt).sort()).toEqual([
      'a blue car',
      'a deep green car',
      'a pale green car',
      'a red car',
    ]);
    // The refused save is the only failed call (the bridge answers the person's mistake with a 400).
    expect(rig.errors).toEqual([
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });
});

describe('presets', () => {
  it('saves a preset from Compose and re-uses it for a later batch', async () => {
    rig = await startRig({ simulator: { maxImageSide: 96, faults: { latencyMs: 50 } } });
    const { page, sim } = rig;
    await openArea(page, 'Compose');
    await page.getByRole('radio', { name: '16:9' }).check();
    await page.getByRole('radio', { name: '2', exact: true }).check();
    await page.getByRole('textbox', { name: 'New preset' }).fill('Wide pair');
    await page.getByRole('checkbox', { name: 'Use as default' }).check();
    await page.getByRole('button', { name: 'Save as preset' }).click();
    await page.getByText('Preset Wide pair saved.').waitFor();
    await page.getByRole('heading', { name: 'Presets' }).scrollIntoViewIfNeeded();
    await screenshots(page, 'presets');

    await page.getByRole('button', { name: 'Start over' }).click();
    await expect.poll(() => page.getByRole('radio', { name: '1:1' }).isChecked()).toBe(true);
    await page.getByRole('combobox', { name: 'Load a preset' }).selectOption('Wide pair');
    await page.getByText('Preset Wide pair loaded.').waitFor();
    expect(await page.getByRole('radio', { name: '16:9' }).isChecked()).toBe(true);
    await compose(page, 'a desert road', 'Preset run');
    await run(page, 1);
    await finished(page, 'Preset run', 1);
    expect(sim.ledger.generations[0]?.input).toMatchObject({ aspect_ratio: '16:9', num_images: 2 });

    // The default preset is where a fresh Compose starts.
    await page.reload();
    await openArea(page, 'Compose');
    await expect.poll(() => page.getByRole('radio', { name: '16:9' }).isChecked()).toBe(true);
    expect(rig.errors).toEqual([]);
  });
});

describe('steering the queue', () => {
  it('runs a batch moved to the top first, and sends a queued job with its edited values', async () => {
    rig = await startRig({ simulator: { maxImageSide: 96, faults: { latencyMs: 50 } } });
    const { page, sim, bridge } = rig;
    bridge.studio.settings.update({ concurrency: 1 });
    await openArea(page, 'Queue');
    await page.getByRole('button', { name: 'Pause queue' }).click();
    await compose(page, 'first in line', 'Early');
    await run(page, 1);
    await compose(page, 'a {cat|dog}', 'Late');
    await run(page, 2);

    const late = page.getByRole('article', { name: 'Late' });
    await late.getByRole('button', { name: 'Move to top: Late' }).click();
    await expect
      .poll(() => page.getByRole('article').first().getAttribute('aria-labelledby'))
      .toMatch(/batch-2-/);
    await page.getByText('Late is now number 1 in the queue.').waitFor();
    await late.getByRole('button', { name: 'Edit job 2' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit job 2 before it is sent' });
    await edit.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a dog in a red scarf');
    await edit.getByRole('radio', { name: '16:9' }).check();
    await screenshots(page, 'job-edit');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Job 2 will be sent with the new settings.').waitFor();
    await screenshots(page, 'queue-steer');

    await page.getByRole('button', { name: 'Resume queue' }).click();
    await finished(page, 'Early', 1);
    await finished(page, 'Late', 2);
    expect(sim.ledger.generations.map((g) => g.prompt)).toEqual([
      'a cat',
      'a dog in a red scarf',
      'first in line',
    ]);
    const edited = sim.ledger.generations.find((g) => g.prompt === 'a dog in a red scarf');
    expect(edited?.input.aspect_ratio).toBe('16:9');
    expect(rig.errors).toEqual([]);
  });

  it('continues a batch paused at its budget once the budget is raised', async () => {
    rig = await startRig({ simulator: { maxImageSide: 96, faults: { latencyMs: 50 } } });
    const { page, bridge } = rig;
    bridge.studio.settings.update({ concurrency: 1 });
    await compose(page, 'stone {one|two|three}', 'Budget');
    await page.getByRole('textbox', { name: 'Budget' }).fill('40');
    await run(page, 3);
    const card = page.getByRole('article', { name: 'Budget' });
    await card.getByText(/Paused at its budget/).waitFor({ timeout: 30_000 });
    await card.getByRole('button', { name: 'Resume' }).click();
    await page.getByText(/raise or remove its budget to continue/).waitFor();
    await card.getByRole('textbox', { name: 'Budget of Budget in credits (empty: no budget)' }).fill('100');
    await card.getByRole('button', { name: 'Set budget' }).click();
    await finished(page, 'Budget', 3);
    expect(internalsOf(bridge.studio).stores.jobs.counts().done).toBe(3);
  });
});
