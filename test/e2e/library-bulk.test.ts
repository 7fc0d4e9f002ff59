// Many images at once: import a folder (duplicates and unreadable files reported), act on "all N
// matching" beyond what the grid has loaded, export a zip with its metadata, and trash with undo.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { library } from './library-helpers.ts';
import { dismissToasts, openArea, screenshots, startRig, type Rig } from './rig.ts';
import { internalsOf } from '../../main/engine/internals.ts';

/** More than one page of the grid (200), so "all N matching" covers images the page has not loaded. */
const IMAGES = 230;

let rig: Rig;
let work: string;
let folder: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qs-e2e-bulk-'));
  folder = path.join(work, 'renders');
  await mkdir(path.join(folder, 'more'), { recursive: true });
  for (let i = 0; i < IMAGES; i++) {
    const png = await sharp({
      create: {
        width: 48,
        height: 32,
        channels: 3,
        background: { r: i % 256, g: (i * 7) % 256, b: 200 - (i % 200) },
      },
    })
      .png()
      .toBuffer();
    await writeFile(path.join(folder, i % 2 ? 'more' : '', `render-${String(i).padStart(3, '0')}.png`), png);
  }
  // Two copies of images already in the folder, and a file that only looks like an image.
  await copyFile(path.join(folder, 'render-000.png'), path.join(folder, 'copy-of-000.png'));
  await copyFile(path.join(folder, 'render-002.png'), path.join(folder, 'more', 'copy-of-002.png'));
  await writeFile(path.join(folder, 'broken.png'), 'this is not a PNG');
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function zipEntries(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const out = new Map<string, Buffer>();
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('bulk work in the library', () => {
  it('imports a folder, skipping duplicates, and says what it could not read', async () => {
    const { page, bridge } = rig;
    const lib = library(page);
    await openArea(page, 'Library');
    await page.getByText('No images yet').waitFor();

    await lib.rail.getByRole('button', { name: 'Import a folder…' }).click();
    await page.getByRole('textbox', { name: 'Folder (full path)' }).fill(folder);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const finished = page.getByRole('listitem', { name: 'Import finished' });
    await finished.waitFor();
    await finished
      .getByText(`${IMAGES} images imported from ${folder}; 2 duplicates skipped; 1 file could not be read.`)
      .waitFor();
    await finished.getByText('Files that were not imported').click();
    await finished.getByText(path.join(folder, 'broken.png')).waitFor();
    // The new images arrived as events: the grid and its count follow without a reload.
    await expect.poll(() => lib.count()).toBe(IMAGES);
    expect(bridge.studio.library.count('source:imported')).toBe(IMAGES);
    await dismissToasts(page);
    await screenshots(page, 'library-import');
    await finished.getByRole('button', { name: 'Dismiss: Import finished' }).click();

    // The same folder again: everything is already there.
    await lib.rail.getByRole('button', { name: 'Import a folder…' }).click();
    await page.getByRole('textbox', { name: 'Folder (full path)' }).fill(folder);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const again = page.getByRole('listitem', { name: 'Import finished' });
    await again
      .getByText(
        `0 images imported from ${folder}; ${IMAGES + 2} duplicates skipped; 1 file could not be read.`,
      )
      .waitFor();
    await again.getByRole('button', { name: 'Dismiss: Import finished' }).click();
    expect(bridge.studio.library.count('')).toBe(IMAGES);
    expect(rig.errors).toEqual([]);
  });

  it('tags all N matching, beyond the loaded page, and exports them as a zip with metadata', async () => {
    const { page, bridge } = rig;
    const lib = library(page);
    await page.reload();
    await openArea(page, 'Library');
    await expect.poll(() => lib.count()).toBe(IMAGES);
    // Virtualized: far fewer tiles exist in the page than the 200 loaded rows.
    expect(await lib.grid.locator('[data-id]').count()).toBeLessThan(100);

    const first = lib.grid.getByRole('button').first();
    await first.focus();
    await page.keyboard.press('Control+a');
    await lib.bulk.getByText('200 selected').waitFor();
    await lib.bulk.getByRole('button', { name: `Select all ${IMAGES} images matching` }).click();
    await lib.bulk.getByText(`All ${IMAGES} images matching`).waitFor();
    await lib.bulk.getByRole('button', { name: 'Tags' }).click();
    await page.getByRole('combobox', { name: 'Add tag' }).fill('spring set');
    await page.keyboard.press('Enter');
    // "All matching" runs as a task: its banner says what it changed when it ends.
    const tagged = page.getByRole('listitem', { name: 'Bulk change finished' });
    await tagged.getByText(`${IMAGES} images: ${IMAGES} changes made.`).waitFor();
    expect(bridge.studio.library.count('tag:"spring set"')).toBe(IMAGES);
    await page.keyboard.press('Escape');
    await tagged.getByRole('button', { name: 'Dismiss: Bulk change finished' }).click();
    await dismissToasts(page);
    await screenshots(page, 'library-bulk');

    const out = path.join(work, 'exports', 'spring.zip');
    await lib.bulk.getByRole('button', { name: 'Export' }).click();
    await page.getByRole('textbox', { name: 'Save as (full path)' }).fill(out);
    await page.getByRole('dialog', { name: 'Export' }).getByRole('button', { name: 'Export' }).click();
    const done = page.getByRole('listitem', { name: 'Export finished' });
    await done
      .getByText(
        new RegExp(
          `^Exported ${IMAGES} images \\(.+\\) to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.$`,
        ),
      )
      .waitFor();
    expect(existsSync(out)).toBe(true);
    const entries = await zipEntries(out);
    expect(entries.size).toBe(IMAGES + 2);
    const csv = entries.get('metadata.csv')!.toString('utf8');
    expect(csv.split('\n')[0]).toMatch(/^\uFEFFfile,id,created,prompt/);
    const lines = entries.get('metadata.jsonl')!.toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(IMAGES);
    const record = JSON.parse(lines[0]!) as { file: string; tags: string[]; source: string };
    expect(record).toMatchObject({ tags: ['spring set'], source: 'imported' });
    expect(entries.has(record.file)).toBe(true);
    await done.getByRole('button', { name: 'Dismiss: Export finished' }).click();
    await lib.bulk.getByRole('button', { name: 'Clear' }).click();
    expect(rig.errors).toEqual([]);
  });

  it('moves a selection to the trash and brings it back with Undo; Delete does the same for one', async () => {
    const { page, bridge } = rig;
    const lib = library(page);
    await expect.poll(() => lib.count()).toBe(IMAGES);
    const tiles = lib.grid.getByRole('button');
    const ids = await Promise.all([0, 1, 2].map((i) => tiles.nth(i).getAttribute('data-id')));
    await tiles.nth(0).click({ modifiers: ['Control'] });
    await tiles.nth(2).click({ modifiers: ['Shift'] });
    await lib.bulk.getByText('3 selected').waitFor();
    await lib.bulk.getByRole('button', { name: 'Trash' }).click();
    const toast = page.getByRole('status').filter({ hasText: 'Moved 3 images to the trash.' });
    await toast.waitFor();
    await expect.poll(() => lib.count()).toBe(IMAGES - 3);
    expect(bridge.studio.library.count('')).toBe(IMAGES - 3);
    for (const id of ids) expect(await lib.grid.locator(`[data-id="${id}"]`).count()).toBe(0);
    await toast.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('Restored 3 images.').waitFor();
    await expect.poll(() => lib.count()).toBe(IMAGES);
    expect(bridge.studio.library.count('')).toBe(IMAGES);

    // From the keyboard: focus a tile, Delete, then Undo.
    await tiles.first().focus();
    await page.keyboard.press('Delete');
    const one = page.getByRole('status').filter({ hasText: 'Moved 1 image to the trash.' });
    await one.waitFor();
    expect(bridge.studio.library.count('')).toBe(IMAGES - 1);
    await one.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => bridge.studio.library.count('')).toBe(IMAGES);
    expect(rig.errors).toEqual([]);
  });

  it('shows an image whose file is gone as a "file missing" tile, and says so in the details', async () => {
    const { bridge, browser } = rig;
    const victim = bridge.studio.library.search('', { limit: 1 }).rows[0]!;
    internalsOf(bridge.studio).library.addTags([victim.id], ['gone']);
    const sha = victim.fileSha256 ?? victim.sha256;
    await rm(victim.path);
    await rm(path.join(rig.dataDir, 'thumbs', sha.slice(0, 2), `${sha}-320.webp`), { force: true });
    // A fresh browser context: the first page has shown (and may have cached) this image's thumbnail.
    const context = await browser.newContext({
      viewport: { width: 1360, height: 860 },
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    await page.goto(bridge.url);
    await openArea(page, 'Library');
    const lib = library(page);
    await lib.searchFor('tag:gone', 1);
    const tile = lib.grid.getByRole('button', { name: 'Imported image (image file missing)' });
    await tile.getByText('File missing').waitFor();
    await tile.click();
    await lib.details
      .getByText('The image file is missing from the data folder.', { exact: false })
      .waitFor();
    await screenshots(page, 'library-missing');
    // The only errors are the browser's own notes about the two 404s (thumbnail and image).
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    await context.close();
  });
});
