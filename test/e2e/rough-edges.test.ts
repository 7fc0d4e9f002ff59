// What a newcomer hit at 1024×700, each checked where a person would see it: thumbnails keep their shape,
// the rail's panels fit the rail, the details panel leaves the rail in place, Ctrl+A selects images and not
// the page's text, tag suggestions stay inside their popover, counts follow a trash, an empty collection
// says so, the search placeholder fits, toasts never cover Run nor pile up, the Run bar never covers the
// field being typed in, and Apply on concurrency says it was applied.
import type { Locator, Page } from 'playwright-core';
import { internalsOf } from '../../main/engine/internals.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, library } from './library-helpers.ts';
import { dismissToasts, openArea, startRig, type Rig } from './rig.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({
    viewport: { width: 1024, height: 700 },
    simulator: { faults: { latencyMs: 30, jitterMs: 10 } },
  });
  await generate(rig.bridge.studio, {
    name: 'A batch whose name is long enough to push any panel that does not cut it wider than the rail',
    entries: [
      { prompt: 'a wide harbour at dawn', params: { aspect_ratio: '16:9' } },
      { prompt: 'a tall lighthouse', params: { aspect_ratio: '9:16' } },
      { prompt: 'a square teapot' },
    ],
  });
  const lib = internalsOf(rig.bridge.studio).library;
  const rows = lib.search('', { limit: 10 }).rows;
  const all = rows.map((r) => r.id);
  lib.addTags(all, ['harbour', 'harvest', 'harmony']);
  const c = lib.createCollection('Keepers');
  lib.addToCollection(
    c,
    rows.filter((r) => r.prompt !== 'a square teapot').map((r) => r.id),
  );
  lib.createCollection('Empty one');
});
afterAll(async () => {
  await rig?.close();
});

type Box = { x: number; y: number; width: number; height: number };
async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  if (!b) throw new Error('not visible');
  return b;
}
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function pageSelection(page: Page): Promise<string> {
  return page.evaluate(() =>
    String((globalThis as unknown as { getSelection(): { toString(): string } | null }).getSelection() ?? ''),
  );
}

describe('at 1024×700', () => {
  it('lays the library out without cropping, clipping or hiding anything', async () => {
    const { page } = rig;
    await page.reload(); // the collections were made behind the page's back
    await openArea(page, 'Library');
    const lib = library(page);
    await expect.poll(() => lib.grid.getByRole('img').count()).toBe(3);
    await page.waitForFunction(() =>
      Array.from(
        (globalThis as unknown as { document: { images: ArrayLike<{ complete: boolean }> } }).document.images,
      ).every((i) => i.complete),
    );

    // Each thumbnail is drawn in its image's own shape (16:9 wide, 9:16 tall, 1:1 square).
    const shapes = await lib.grid.getByRole('img').evaluateAll((imgs) =>
      imgs.map((i) => {
        const r = i.getBoundingClientRect();
        const img = i as unknown as { alt: string };
        return { name: img.alt, ratio: Math.round((r.width / r.height) * 10) / 10 };
      }),
    );
    expect(Object.fromEntries(shapes.map((s) => [s.name, s.ratio]))).toEqual({
      'a wide harbour at dawn': 1.8,
      'a tall lighthouse': 0.6,
      'a square teapot': 1,
    });

    // The search placeholder fits its field.
    const fits = await lib.search.evaluate((el) => {
      const input = el as unknown as { placeholder: string; clientWidth: number };
      const style = (
        globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }
      ).getComputedStyle(el);
      const doc = (
        globalThis as unknown as {
          document: {
            createElement(t: string): {
              getContext(k: string): { font: string; measureText(t: string): { width: number } };
            };
          };
        }
      ).document;
      const ctx = doc.createElement('canvas').getContext('2d');
      ctx.font = `${style.fontSize} ${style.fontFamily}`;
      const room =
        input.clientWidth - parseFloat(style.paddingLeft ?? '0') - parseFloat(style.paddingRight ?? '0');
      return ctx.measureText(input.placeholder).width <= room;
    });
    expect(fits).toBe(true);
    // Every control of the header stays inside the window.
    for (const control of await lib.main.locator('.view__actions button, .view__actions select').all()) {
      const b = await box(control);
      expect(b.x + b.width).toBeLessThanOrEqual(1024 - 8);
    }

    // The disk-use panel stays inside the rail, and the import button keeps its words.
    await lib.rail.getByText('Disk use and duplicates').click();
    await lib.rail.getByText(/in \d+ files?/).waitFor();
    const rail = await box(lib.rail);
    for (const part of await lib.rail.locator('.usage, .usage .segmented').all()) {
      const b = await box(part);
      expect(b.x + b.width).toBeLessThanOrEqual(rail.x + rail.width + 1);
    }
    const importButton = lib.rail.getByRole('button', { name: /Import a folder/ });
    expect(
      await importButton.evaluate(
        (b) =>
          (b as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth <=
          (b as unknown as { clientWidth: number }).clientWidth,
      ),
    ).toBe(true);

    // Opening an image's details leaves the rail where it was.
    await lib.tile('a square teapot').click();
    await lib.details.waitFor();
    expect((await box(lib.rail)).width).toBeGreaterThan(150);
    expect(await lib.rail.getByRole('button', { name: /^Keepers/ }).isVisible()).toBe(true);

    // Ctrl+A after clicking a tile selects the images, not the page's text.
    await page.keyboard.press('Control+A');
    await lib.bulk.getByText('3 selected').waitFor();
    expect(await pageSelection(page)).toBe('');
    await page.keyboard.press('Escape');
  });

  it('keeps tag suggestions inside their popover', async () => {
    const { page } = rig;
    const lib = library(page);
    if (await lib.details.isVisible())
      await lib.details.getByRole('button', { name: 'Close details' }).click();
    await lib.tile('a wide harbour at dawn').click({ modifiers: ['Control'] });
    await lib.tile('a tall lighthouse').click({ modifiers: ['Control'] });
    await lib.bulk.getByRole('button', { name: 'Tags' }).click();
    const popover = page.locator('.popover');
    await popover.getByRole('combobox', { name: 'Add tag' }).fill('har');
    const list = popover.getByRole('listbox');
    await expect.poll(() => list.getByRole('option').count()).toBe(3);
    const outer = await box(popover);
    const inner = await box(list);
    expect(inner.y + inner.height).toBeLessThanOrEqual(outer.y + outer.height + 1);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
  });

  it('updates collection and tag counts after a trash, and says when a collection is empty', async () => {
    const { page } = rig;
    const lib = library(page);
    await dismissToasts(page);
    const keepers = lib.rail.getByRole('button', { name: /^Keepers/ });
    await expect.poll(() => keepers.textContent()).toMatch(/2$/);
    await lib.tile('a wide harbour at dawn').click();
    await lib.details.waitFor();
    await page.keyboard.press('Delete');
    await expect.poll(() => keepers.textContent()).toMatch(/1$/);
    await lib.rail.getByRole('button', { name: 'Tags' }).click();
    await expect.poll(() => lib.rail.getByRole('button', { name: /^harbour/ }).textContent()).toMatch(/2$/);

    await lib.rail.getByRole('button', { name: /^Empty one/ }).click();
    await lib.main.getByText('This collection is empty').waitFor();
    expect(await lib.main.getByText('Nothing matches').count()).toBe(0);
  });

  it('keeps toasts off the Run button and few, and the Run bar off the field being typed in', async () => {
    const { page } = rig;
    await openArea(page, 'Compose');
    await dismissToasts(page);
    await page.getByRole('textbox', { name: 'Prompts' }).fill('a quiet street');
    const run = page.getByRole('button', { name: /^Run 1 job/ });
    await run.waitFor();
    // Six refusals in a row (not images): the same message once, never more than three toasts.
    for (let i = 0; i < 6; i++) {
      await page.getByLabel('Reference image files').setInputFiles({
        name: `notes-${i % 2}.png`,
        mimeType: 'image/png',
        buffer: Buffer.from('not a png at all'),
      });
      await page
        .getByRole('alert')
        .filter({ hasText: `notes-${i % 2}.png` })
        .first()
        .waitFor();
    }
    const toasts = page.getByRole('region', { name: 'Notifications' }).locator('.toast');
    expect(await toasts.count()).toBeLessThanOrEqual(3);
    const runBox = await box(run);
    for (const t of await toasts.all()) expect(overlaps(await box(t), runBox)).toBe(false);

    // A good pick clears the stale "not an image" error under the picker.
    await page.getByLabel('Reference image files').setInputFiles({
      name: 'ok.png',
      mimeType: 'image/png',
      buffer: Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        'base64',
      ),
    });
    await page.getByRole('img', { name: 'Reference ok.png' }).waitFor();
    expect(await page.locator('.refs .field__error').count()).toBe(0);

    const negative = page.getByRole('textbox', { name: 'Negative prompt' });
    await negative.focus();
    await negative.pressSequentially('blurry');
    const field = await box(negative);
    const bar = await box(page.locator('.runbar'));
    expect(field.y + field.height).toBeLessThanOrEqual(bar.y);
  });

  it('confirms Apply on concurrency', async () => {
    const { page, bridge } = rig;
    await openArea(page, 'Settings');
    await page.getByRole('spinbutton', { name: 'Generations at once' }).fill('6');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Applied now: the next generations sent use up to 6 at once, no restart needed' })
      .waitFor();
    expect(bridge.studio.settings.get().concurrency).toBe(6);
  });
});
