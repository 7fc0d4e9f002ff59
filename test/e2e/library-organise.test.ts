// The library as a person organises it: select with click, Ctrl-click and the keyboard, favorite and tag
// the selection, rate from the keyboard, then find images again with the search language (tag:, fav,
// rating>=, ar:, -exclude, a two-character Chinese word), the filter controls and chips, a saved search,
// a collection, and the details panel's tags (with autocomplete) and notes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalsOf } from '../../main/engine/internals.ts';
import { generate, library } from './library-helpers.ts';
import { dismissToasts, openArea, screenshots, startRig, type Rig } from './rig.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ simulator: { faults: { latencyMs: 30, jitterMs: 10 } } });
  await generate(rig.bridge.studio, {
    name: 'Moodboard',
    entries: [
      { prompt: 'a red car in the rain', params: { aspect_ratio: '16:9' } },
      { prompt: 'a blue boat at dawn' },
      { prompt: '一只红色的猫在窗台上' },
      { prompt: 'a red boat on a lake', params: { aspect_ratio: '16:9' } },
      { prompt: 'portrait of an astronaut', params: { aspect_ratio: '9:16' } },
      { prompt: 'a golden dragon' },
    ],
  });
});
afterAll(async () => {
  await rig?.close();
});

/** The prompts newest first (the grid's order), and a reader of one asset's library fields by prompt. */
function assets() {
  const lib = internalsOf(rig.bridge.studio).library;
  const rows = lib.search('', { limit: 100 }).rows;
  const byPrompt = new Map(rows.map((r) => [r.prompt, r.id]));
  return { order: rows.map((r) => r.prompt), get: (prompt: string) => lib.get(byPrompt.get(prompt)!)! };
}

const HEROES = ['a red car in the rain', 'a red boat on a lake', 'a golden dragon'];

describe('organising and finding images', () => {
  it('favorites and tags a selection, rates from the keyboard, and searches with the query language', async () => {
    const { page } = rig;
    const lib = library(page);
    const a = assets();
    await page.reload();
    await openArea(page, 'Library');
    await expect.poll(() => lib.count()).toBe(6);

    // Click one, Ctrl-click two more: three selected.
    await lib.tile('a red car in the rain').click();
    await lib.tile('a red boat on a lake').click({ modifiers: ['Control'] });
    await lib.tile('a golden dragon').click({ modifiers: ['Control'] });
    await lib.bulk.getByText('3 selected').waitFor();
    await lib.bulk.getByRole('button', { name: 'Favorite' }).click();
    await expect.poll(() => a.get('a golden dragon').favorite).toBe(true);
    expect(a.get('a red car in the rain').favorite).toBe(true);
    expect(a.get('a blue boat at dawn').favorite).toBe(false);

    await lib.bulk.getByRole('button', { name: 'Tags' }).click();
    await page.getByRole('combobox', { name: 'Add tag' }).fill('hero');
    await page.keyboard.press('Enter');
    await page.getByText('Tagged 3 images “hero”.').waitFor();
    expect(a.get('a red boat on a lake').tags).toEqual(['hero']);
    await page.keyboard.press('Escape');
    await screenshots(page, 'library-select');
    await lib.bulk.getByRole('button', { name: 'Clear' }).click();
    await lib.bulk.waitFor({ state: 'detached' });

    // Keyboard: focus the first tile, move right, rate 4, toggle favorite twice, Shift+arrow to extend.
    const [firstPrompt, second] = a.order as [string, string];
    await lib.tile(firstPrompt).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => lib.grid.locator('button[tabindex="0"]').getAttribute('title')).toBe(second);
    await page.keyboard.press('4');
    await expect.poll(() => a.get(second).rating).toBe(4);
    const wasFavorite = HEROES.includes(second);
    await page.keyboard.press('f');
    await expect.poll(() => a.get(second).favorite).toBe(!wasFavorite);
    await page.keyboard.press('f');
    await expect.poll(() => a.get(second).favorite).toBe(wasFavorite);
    await page.keyboard.press('Shift+ArrowRight');
    await lib.bulk.getByText('2 selected').waitFor();
    await page.keyboard.press('Escape');
    await lib.bulk.waitFor({ state: 'detached' });

    // The query language, typed.
    await lib.searchFor('tag:hero', 3);
    await lib.searchFor('fav', 3);
    await lib.searchFor('-fav', 3);
    await lib.searchFor('rating>=4', 1);
    expect(await lib.grid.getByRole('img').getAttribute('alt')).toBe(second);
    expect(a.get(firstPrompt).rating).toBe(0);
    await lib.searchFor('red -boat', 1);
    await lib.tile('a red car in the rain').waitFor();
    await lib.searchFor('红色', 1);
    await lib.tile('一只红色的猫在窗台上').waitFor();
    await lib.searchFor('tag:hero -tag:hero', 0);

    // Controls edit the same text: the aspect control adds ar:16:9, chips show and remove filters.
    await lib.searchFor('tag:hero', 3);
    await page.getByRole('group', { name: 'Filters' }).getByLabel('Aspect ratio').selectOption('16:9');
    await expect.poll(() => lib.search.inputValue()).toBe('tag:hero ar:16:9');
    await expect.poll(() => lib.count()).toBe(2);
    const chips = page.getByRole('list', { name: 'Active filters' });
    await chips.getByText('Tag: hero').waitFor();
    await chips.getByText('Aspect: 16:9').waitFor();
    await page.getByRole('group', { name: 'Filters' }).getByRole('button', { name: 'Favorites' }).click();
    await expect.poll(() => lib.search.inputValue()).toBe('tag:hero ar:16:9 fav');
    await expect.poll(() => lib.count()).toBe(2);
    await dismissToasts(page);
    await page.getByRole('button', { name: 'Search syntax help' }).click();
    await page.getByRole('dialog', { name: 'Search syntax' }).getByText('rating>=4').waitFor();
    await screenshots(page, 'library-search');
    await page.keyboard.press('Escape');
    await chips.getByRole('button', { name: 'Remove filter Aspect: 16:9' }).click();
    await expect.poll(() => lib.search.inputValue()).toBe('tag:hero fav');
    await expect.poll(() => lib.count()).toBe(3);

    // A saved search comes back from the rail.
    await lib.rail.getByRole('button', { name: 'Save this search' }).click();
    await page.getByRole('textbox', { name: 'Name this search' }).fill('Heroes');
    await page.getByRole('button', { name: 'Save search' }).click();
    await lib.rail.getByRole('button', { name: 'Heroes', exact: true }).waitFor();
    await lib.rail.getByRole('button', { name: 'All images' }).click();
    await expect.poll(() => lib.count()).toBe(6);
    await lib.rail.getByRole('button', { name: 'Heroes', exact: true }).click();
    await expect.poll(() => lib.search.inputValue()).toBe('tag:hero fav');
    await expect.poll(() => lib.count()).toBe(3);
    expect(rig.errors).toEqual([]);
  });

  it('organises one image in the details panel: collection, tag with autocomplete, rating, notes', async () => {
    const { page } = rig;
    const lib = library(page);
    const a = assets();
    await lib.rail.getByRole('button', { name: 'New collection' }).click();
    await page.getByRole('textbox', { name: 'Collection name' }).fill('Cover picks');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await lib.rail.getByRole('button', { name: /^Cover picks/ }).waitFor();

    await lib.rail.getByRole('button', { name: 'All images' }).click();
    await expect.poll(() => lib.count()).toBe(6);
    await lib.tile('portrait of an astronaut').click();
    const details = lib.details;
    await details.getByText('portrait of an astronaut', { exact: true }).waitFor();
    await details.getByLabel('Add to collection').selectOption({ label: 'Cover picks' });
    await details.getByRole('list', { name: 'Collections' }).getByText('Cover picks').waitFor();

    // Autocomplete offers the existing tag from its first letters.
    const tagField = details.getByRole('combobox', { name: 'Add a tag' });
    await tagField.fill('he');
    await details.getByRole('option', { name: /hero/ }).click();
    await details.getByRole('list', { name: 'Tags' }).getByText('hero').waitFor();
    await details.getByRole('radio', { name: '5 stars' }).click();
    await details.getByRole('textbox', { name: 'Notes' }).fill('cover of the spring issue');
    await details.getByRole('heading', { name: 'Image details' }).click(); // blur saves
    await expect.poll(() => a.get('portrait of an astronaut').notes).toBe('cover of the spring issue');
    const saved = a.get('portrait of an astronaut');
    expect(saved.tags).toEqual(['hero']);
    expect(saved.rating).toBe(5);
    expect(saved.collections.map((c) => c.name)).toEqual(['Cover picks']);
    await details.locator('.detail__body').evaluate((el) => el.scrollTo(0, 0));
    await screenshots(page, 'library-detail');

    // The collection in the rail is a search; notes are searched as text.
    await lib.rail.getByRole('button', { name: /^Cover picks/ }).click();
    await expect.poll(() => lib.count()).toBe(1);
    await lib.searchFor('spring issue', 1);
    await lib.searchFor('tag:hero rating=5', 1);

    // Where the disk space goes, by batch and by collection, and the duplicates count.
    await lib.rail.getByText('Disk use and duplicates').click();
    await page.getByRole('list', { name: 'Disk use by batch' }).getByText('Moodboard').waitFor();
    await lib.rail.getByText('No duplicates.').waitFor();
    await lib.rail.getByRole('radio', { name: 'Collections' }).check();
    await page.getByRole('list', { name: 'Disk use by collection' }).getByText('Cover picks').waitFor();
    await screenshots(page, 'library-usage');
    expect(rig.errors).toEqual([]);
  });
});
