// Compare and choose, as a person does it: three images side by side that zoom and pan together with their
// differing parameters marked, two under a slider, then a 10-image "pick the best" round driven from the
// keyboard whose winner leads the Library sorted best first. Screenshots in light and dark, and in Chinese.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, library } from './library-helpers.ts';
import { openArea, screenshots, startRig, type Rig } from './rig.ts';

let rig: Rig;
const CHAMPION = 'contender number 7';

beforeAll(async () => {
  rig = await startRig({ simulator: { faults: { latencyMs: 30, jitterMs: 10 } } });
  await generate(rig.bridge.studio, {
    name: 'Cars',
    entries: [
      { prompt: 'a red car at dawn', params: { seed: 11 } },
      { prompt: 'a red car at dusk', params: { seed: 12, output_format: 'jpeg' } },
      { prompt: 'a red car at noon', params: { seed: 13 } },
    ],
  });
  await generate(rig.bridge.studio, {
    name: 'Ten',
    entries: Array.from({ length: 10 }, (_, i) => ({ prompt: `contender number ${i}` })),
  });
});
afterAll(async () => {
  await rig?.close();
});

/** The transform of every pane's image: panes zoom and pan together, so they are all the same. */
async function transforms(dialog: Locator): Promise<string[]> {
  return dialog
    .locator('.zstage__img')
    .evaluateAll((imgs) => imgs.map((i) => (i as { style: { transform: string } }).style.transform));
}

async function selectTiles(page: Page, names: string[]) {
  const lib = library(page);
  await lib.tile(names[0]!).click();
  for (const n of names.slice(1)) await lib.tile(n).click({ modifiers: ['Control'] });
  await lib.bulk.getByText(`${names.length} selected`).waitFor();
}

describe('compare', () => {
  it('shows three images that zoom and pan together, with their differing parameters marked', async () => {
    const { page } = rig;
    const lib = library(page);
    await page.reload();
    await openArea(page, 'Library');
    await lib.searchFor('car', 3);
    await selectTiles(page, ['a red car at dawn', 'a red car at dusk', 'a red car at noon']);
    await lib.bulk.getByRole('button', { name: 'Compare' }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare 3 images' });
    await dialog.waitFor();
    const panes = dialog.getByRole('figure');
    await expect.poll(() => panes.count()).toBe(3);
    await expect.poll(() => dialog.getByRole('img').count()).toBe(3);
    expect(await panes.evaluateAll((f) => f.map((x) => x.getAttribute('aria-label')))).toEqual([
      'A',
      'B',
      'C',
    ]);
    const level = dialog.locator('output', { hasText: '%' });

    // The wheel over one pane zooms all three, about the pointer.
    const frame = dialog.locator('.zstage__frame').first();
    const box = (await frame.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await page.mouse.wheel(0, -200);
    await expect.poll(() => level.textContent()).toBe('156%');
    const zoomed = await transforms(dialog);
    expect(new Set(zoomed).size).toBe(1);
    expect(zoomed[0]).toMatch(/scale\(1\.56/);

    // A drag in another pane pans them all.
    const third = (await dialog.locator('.zstage__frame').nth(2).boundingBox())!;
    await page.mouse.move(third.x + third.width / 2, third.y + third.height / 2);
    await page.mouse.down();
    await page.mouse.move(third.x + third.width / 2 + 40, third.y + third.height / 2 + 30, { steps: 4 });
    await page.mouse.up();
    const panned = await transforms(dialog);
    expect(new Set(panned).size).toBe(1);
    expect(panned[0]).not.toBe(zoomed[0]);

    // The keyboard: + zooms in, − out, 0 back to the whole image.
    await page.keyboard.press('+');
    await expect.poll(() => level.textContent()).toBe('195%');
    await page.keyboard.press('-');
    await expect.poll(() => level.textContent()).toBe('156%');
    await page.keyboard.press('0');
    await expect.poll(() => level.textContent()).toBe('100%');
    expect(new Set(await transforms(dialog))).toEqual(new Set(['translate(0%, 0%) scale(1)']));

    // Prompt, seed and format differ (marked); the model and size are the same (not marked).
    const table = dialog.getByRole('table', { name: 'Parameters' });
    await dialog.getByText('3 parameters differ').waitFor();
    for (const name of ['Prompt', 'Seed', 'Format'])
      await expect
        .poll(() => table.getByRole('row', { name: new RegExp(`^${name}\\s*differs`) }).count())
        .toBe(1);
    await expect
      .poll(() => table.getByRole('row', { name: /^Seed\s*differs\s*11\s*12\s*13/ }).count())
      .toBe(1);
    for (const name of ['Model', 'Batch'])
      expect(await table.getByRole('row', { name: new RegExp(`^${name} `) }).textContent()).not.toMatch(
        /differs/,
      );

    await page.keyboard.press('+');
    await screenshots(page, 'compare-three');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(rig.errors).toEqual([]);
  });

  it('puts two images under a slider or an overlay', async () => {
    const { page } = rig;
    const lib = library(page);
    await selectTiles(page, ['a red car at dawn', 'a red car at dusk']);
    await lib.bulk.getByRole('button', { name: 'Compare' }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare 2 images' });
    await dialog.getByRole('radio', { name: 'Slider' }).check();
    const slider = dialog.getByRole('slider', { name: 'Slider position' });
    await slider.focus();
    for (let i = 0; i < 15; i++) await page.keyboard.press('ArrowLeft');
    await expect.poll(() => slider.inputValue()).toBe('35');
    expect(
      await dialog
        .locator('.zstage__top')
        .evaluate((e) => (e as { style: { clipPath: string } }).style.clipPath),
    ).toBe('inset(0px 0px 0px 35%)');
    await screenshots(page, 'compare-slider');
    await dialog.getByRole('radio', { name: 'Overlay' }).check();
    await dialog.getByRole('slider', { name: 'Opacity of B over A' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });
});

describe('pick the best', () => {
  it('a 10-image round from the keyboard changes the ranking: the winner leads the Library best first', async () => {
    const { page, bridge } = rig;
    const lib = library(page);
    await page.reload();
    await openArea(page, 'Library');
    await lib.searchFor('contender', 10);
    await lib.tile('contender number 0').click();
    await page.keyboard.press('Control+a');
    await lib.bulk.getByText('10 selected').waitFor();
    await lib.bulk.getByRole('button', { name: 'Pick the best' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pick the best' });
    const progress = dialog.getByText(/^Choice \d+ of 17$/);
    await progress.waitFor();
    await screenshots(page, 'pick-choose');

    // The champion wins every pair it is in; every other pair is skipped (↓), which changes no score.
    const alt = (side: 'Left' | 'Right') =>
      dialog.getByRole('figure', { name: side }).getByRole('img').getAttribute('alt');
    let undone = false;
    const seen = new Set<string>();
    for (let i = 1; i <= 17; i++) {
      await dialog.getByText(`Choice ${i} of 17`).waitFor();
      const [left, right] = [await alt('Left'), await alt('Right')];
      seen.add(left!).add(right!);
      if (left === CHAMPION || right === CHAMPION) {
        const [win, lose] = left === CHAMPION ? ['ArrowLeft', 'ArrowRight'] : ['ArrowRight', 'ArrowLeft'];
        if (!undone) {
          // First the wrong one, taken back with Backspace: the same pair comes again.
          undone = true;
          await page.keyboard.press(lose);
          await dialog.getByText(`Choice ${i + 1} of 17`).waitFor();
          await page.keyboard.press('Backspace');
          await dialog.getByText(`Choice ${i} of 17`).waitFor();
          expect([await alt('Left'), await alt('Right')]).toEqual([left, right]);
        }
        await page.keyboard.press(win);
      } else await page.keyboard.press('ArrowDown');
    }
    expect(undone).toBe(true);
    expect(seen.size).toBe(10);

    await page.getByRole('dialog', { name: 'Pick the best — ranking' }).waitFor();
    const ranking = page.getByRole('list', { name: 'Ranking' });
    await expect
      .poll(() => ranking.getByRole('listitem').first().textContent())
      .toMatch(new RegExp(`Winner${CHAMPION}`));
    const champion = bridge.studio.library.search(CHAMPION, { limit: 1 }).rows[0]!;
    expect(champion.score).toBeGreaterThan(1500);
    const others = bridge.studio.library.search('contender -"number 7"', { limit: 20 }).rows;
    expect(others.every((r) => r.score! <= 1500)).toBe(true);
    await screenshots(page, 'pick-results');

    // F favourites the winners.
    await page.keyboard.press('f');
    await expect.poll(() => bridge.studio.library.detail(champion.id)!.favorite).toBe(true);

    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await lib.search.fill('');
    await expect.poll(() => lib.count()).toBe(13);
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('best');
    await expect.poll(() => lib.grid.getByRole('button').first().getAttribute('title')).toBe(CHAMPION);
    await lib.tile(CHAMPION).click();
    await lib.details.getByText(new RegExp(`^${Math.round(champion.score!)} · \\d+ comparisons?$`)).waitFor();
    expect(rig.errors).toEqual([]);
  });

  it('reads in Chinese', async () => {
    const { page, bridge } = rig;
    bridge.studio.settings.update({ language: 'zh-CN' });
    await page.reload();
    await page.getByRole('navigation', { name: '功能区' }).getByRole('button', { name: '图库' }).click();
    const tile = (name: string) => page.getByRole('button', { name, exact: true });
    await page.getByRole('searchbox').fill('car');
    await expect.poll(() => tile('a red car at noon').count()).toBe(1);
    await expect.poll(() => tile('contender number 7').count()).toBe(0);
    await tile('a red car at dawn').click();
    await tile('a red car at dusk').click({ modifiers: ['Control'] });
    await tile('a red car at noon').click({ modifiers: ['Control'] });
    await page.getByRole('button', { name: '对比' }).click();
    const dialog = page.getByRole('dialog', { name: '对比 3 张图片' });
    await dialog.getByText('3 个参数不同').waitFor();
    await screenshots(page, 'compare-zh');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: '挑选最佳' }).click();
    await page
      .getByRole('dialog', { name: '挑选最佳' })
      .getByText(/^第 1 次选择，共 3 次$/)
      .waitFor();
    await screenshots(page, 'pick-zh');
    await page.keyboard.press('Escape');
    await page
      .getByRole('dialog', { name: '挑选最佳——排名' })
      .getByText('没有做出选择，评分未改变。')
      .waitFor();
    await page.keyboard.press('Escape');
    bridge.studio.settings.update({ language: 'en' });
    expect(rig.errors).toEqual([]);
  });
});
