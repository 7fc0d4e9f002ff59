// Managing the rail: a collection, a saved search and a tag are made, renamed from their "…" menus (a
// refused name shows the engine's reason and keeps the old one), then deleted after an inline confirm;
// the rail, the search box and the engine agree at every step, and deleting never takes images with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalsOf } from '../../main/engine/internals.ts';
import { generate, library } from './library-helpers.ts';
import { dismissToasts, openArea, screenshots, startRig, type Rig } from './rig.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ simulator: { faults: { latencyMs: 30, jitterMs: 10 } } });
  await generate(rig.bridge.studio, {
    name: 'Harbour',
    entries: [
      { prompt: 'a red boat on a lake' },
      { prompt: 'a blue boat at dawn' },
      { prompt: 'a lighthouse' },
    ],
  });
});
afterAll(async () => {
  await rig?.close();
});

describe('renaming and deleting collections, saved searches and tags', () => {
  it('renames and deletes each from the rail, and the rail and search follow', async () => {
    const { page } = rig;
    const lib = library(page);
    const engine = internalsOf(rig.bridge.studio).library;
    await page.reload();
    await openArea(page, 'Library');
    await expect.poll(() => lib.count()).toBe(3);

    // Make one of each: a collection, a saved search, a tag with a space in its name.
    await lib.rail.getByRole('button', { name: 'New collection' }).click();
    await page.getByRole('textbox', { name: 'Collection name' }).fill('Picks');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await lib.rail.getByRole('button', { name: /^Picks/ }).waitFor();
    await lib.searchFor('boat', 2);
    await lib.rail.getByRole('button', { name: 'Save this search' }).click();
    await page.getByRole('textbox', { name: 'Name this search' }).fill('Boats');
    await page.getByRole('button', { name: 'Save search' }).click();
    await lib.rail.getByRole('button', { name: 'Boats', exact: true }).waitFor();
    await lib.tile('a red boat on a lake').click();
    await lib.tile('a blue boat at dawn').click({ modifiers: ['Control'] });
    await lib.bulk.getByRole('button', { name: 'Tags' }).click();
    await page.getByRole('combobox', { name: 'Add tag' }).fill('old town');
    await page.keyboard.press('Enter');
    await page.getByText('Tagged 2 images “old town”.').waitFor();
    await page.keyboard.press('Escape');
    await lib.bulk.getByRole('button', { name: 'Clear' }).click();
    await lib.bulk.waitFor({ state: 'detached' });

    // Tags are collapsed until asked for; a tag with a space is searched quoted.
    const tagsToggle = lib.rail.getByRole('button', { name: 'Tags' });
    expect(await tagsToggle.getAttribute('aria-expanded')).toBe('false');
    expect(await lib.rail.getByRole('list', { name: 'Tags' }).count()).toBe(0);
    await tagsToggle.click();
    const tags = lib.rail.getByRole('list', { name: 'Tags' });
    await tags.getByRole('button', { name: /^old town\s*2$/ }).click();
    await expect.poll(() => lib.search.inputValue()).toBe('tag:"old town"');
    await expect.poll(() => lib.count()).toBe(2);

    // Rename a collection from the keyboard; an empty name is refused with a toast and Escape keeps the old one.
    await lib.rail.getByRole('button', { name: 'More actions for Picks' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: 'Picks actions' }).waitFor();
    await expect.poll(() => page.locator(':focus').textContent()).toBe('Rename…');
    await page.keyboard.press('Enter');
    const collectionName = lib.rail.getByRole('textbox', { name: 'New name for the collection Picks' });
    await collectionName.fill('   ');
    await page.keyboard.press('Enter');
    await page.getByText(/The collection was not renamed/).waitFor();
    await expect(collectionName.isVisible()).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await collectionName.waitFor({ state: 'detached' });
    await expect.poll(() => lib.search.inputValue()).toBe('tag:"old town"'); // Escape ended only the rename
    expect(engine.collections().map((c) => c.name)).toEqual(['Picks']);
    await lib.rail.getByRole('button', { name: 'More actions for Picks' }).click();
    await page.getByRole('button', { name: 'Rename…' }).click();
    await collectionName.fill('Covers');
    await page.keyboard.press('Enter');
    await lib.rail.getByRole('button', { name: /^Covers/ }).waitFor();
    expect(engine.collections().map((c) => c.name)).toEqual(['Covers']);

    // A saved search cannot take a name another one has; then it is renamed for real.
    await lib.searchFor('lighthouse', 1);
    await lib.rail.getByRole('button', { name: 'Save this search' }).click();
    await page.getByRole('textbox', { name: 'Name this search' }).fill('Lights');
    await page.getByRole('button', { name: 'Save search' }).click();
    await lib.rail.getByRole('button', { name: 'Lights', exact: true }).waitFor();
    await dismissToasts(page);
    await lib.rail.getByRole('button', { name: 'More actions for Boats' }).click();
    await page.getByRole('button', { name: 'Rename…' }).click();
    const searchName = lib.rail.getByRole('textbox', { name: 'New name for the saved search Boats' });
    await searchName.fill('Lights');
    await page.keyboard.press('Enter');
    await page
      .getByText('The search was not renamed: A saved search named "Lights" already exists.')
      .waitFor();
    await searchName.fill('Sea boats');
    await page.keyboard.press('Enter');
    await lib.rail.getByRole('button', { name: 'Sea boats', exact: true }).click();
    await expect.poll(() => lib.search.inputValue()).toBe('boat');
    await expect.poll(() => lib.count()).toBe(2);

    // Renaming the tag being searched moves the search to its new name.
    await tags.getByRole('button', { name: /^old town/ }).click();
    await expect.poll(() => lib.search.inputValue()).toBe('tag:"old town"');
    await lib.rail.getByRole('button', { name: 'More actions for old town' }).click();
    await page.getByRole('button', { name: 'Rename…' }).click();
    await lib.rail.getByRole('textbox', { name: 'New name for the tag old town' }).fill('harbour');
    await page.keyboard.press('Enter');
    // (Focus comes back to the renamed item, whose count is hidden while it has focus: match the name only.)
    await tags.getByRole('button', { name: /^harbour\s*2$/ }).waitFor();
    await expect.poll(() => lib.search.inputValue()).toBe('tag:harbour');
    await expect.poll(() => lib.count()).toBe(2);
    expect(engine.tags().map((t) => t.name)).toEqual(['harbour']);

    // Delete the collection, after a confirm that says the images stay.
    await dismissToasts(page); // the screenshot clears them, which would close the menu
    await lib.rail.getByRole('button', { name: 'More actions for Covers' }).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByText('Delete “Covers”? The images stay in the library.').waitFor();
    await screenshots(page, 'library-manage');
    await page.getByRole('button', { name: 'Delete collection' }).click();
    await lib.rail.getByText('Group images by adding them to a collection').waitFor();
    expect(engine.collections()).toEqual([]);

    // Cancel keeps the saved search; Delete removes it.
    await lib.rail.getByRole('button', { name: 'More actions for Sea boats' }).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete saved search' }).click();
    await lib.rail.getByRole('button', { name: 'Sea boats', exact: true }).waitFor({ state: 'detached' });
    expect(engine.savedSearches().map((x) => x.name)).toEqual(['Lights']);

    // Deleting the tag says it leaves every image, and the images stay.
    await lib.rail.getByRole('button', { name: 'More actions for harbour' }).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page
      .getByText('Delete “harbour”? It is removed from every image; the images stay in the library.')
      .waitFor();
    await page.getByRole('button', { name: 'Delete tag' }).click();
    await lib.rail.getByText('Tag images from the selection bar or the details panel.').waitFor();
    expect(engine.tags()).toEqual([]);
    await lib.searchFor('tag:harbour', 0);
    await lib.rail.getByRole('button', { name: 'All images' }).click();
    await expect.poll(() => lib.count()).toBe(3);
    // The two refused renames are the person's mistakes: 400 (empty name) and 409 (taken name), never a
    // 500; the browser logs them.
    expect(rig.errors).toEqual([
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
      'console: Failed to load resource: the server responded with a status of 409 (Conflict)',
    ]);
  });
});
