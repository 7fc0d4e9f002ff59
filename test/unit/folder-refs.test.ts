// A folder picked for a prompt file's rows: the images the rows still miss are found by file name anywhere
// in it, a name found in more than one place is left to the person, and the images are checked a few at a
// time, in the order they were found.
import { describe, expect, it } from 'vitest';
import { matchFolder, type PickedFile } from '../../renderer/src/store/folder-refs.ts';

const picked = (place: string): PickedFile => ({ name: place.split('/').pop()!, webkitRelativePath: place });

describe('matchFolder', () => {
  it('finds the wanted names in the folder and its subfolders, in the wanted order', () => {
    const files = ['shoot/notes.txt', 'shoot/b/bottle.png', 'shoot/mug.png', 'shoot/mug.png.bak'].map(picked);
    const m = matchFolder(files, ['mug.png', 'bottle.png', 'chair.png']);
    expect(m.folder).toBe('shoot');
    expect(m.unique.map((f) => f.webkitRelativePath)).toEqual(['shoot/mug.png', 'shoot/b/bottle.png']);
    expect(m.duplicates).toEqual([]);
  });

  it('leaves a name found in more than one place to the person, saying where', () => {
    const files = ['shoot/b/lamp.png', 'shoot/mug.png', 'shoot/a/lamp.png', 'shoot/Lamp.png'].map(picked);
    const m = matchFolder(files, ['lamp.png', 'mug.png']);
    expect(m.unique.map((f) => f.name)).toEqual(['mug.png']);
    expect(m.duplicates).toEqual([{ name: 'lamp.png', paths: ['shoot/a/lamp.png', 'shoot/b/lamp.png'] }]);
  });

  it('finds nothing in an empty folder', () => {
    expect(matchFolder([], ['mug.png'])).toEqual({ folder: '', unique: [], duplicates: [] });
  });
});
