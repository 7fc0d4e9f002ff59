// A CSV whose rows name local reference images, in the browser: the page cannot read the disk, so the person
// adds the images (picked with the file, or afterwards on the file card) and they are matched by file name.
// Or the person picks the folder that holds them once: only the images the rows name are read from it. Each
// row's references show in the preview, in the row's order, and are sent with that row's job; an image the
// file does not name, a file that is not an image, and more than four references are refused, each with its
// reason where the person acted.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FileChooser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArea, screenshots, startRig, type PageGlobals, type Rig } from './rig.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ simulator: { faults: { latencyMs: 30, jitterMs: 10 } } });
});
afterAll(async () => {
  await rig?.close();
});

async function png(color: string): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 30, channels: 3, background: color } })
    .png()
    .toBuffer();
}
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const file = (name: string, buffer: Buffer, mimeType = 'image/png') => ({ name, mimeType, buffer });

describe('a CSV with per-row local reference images', () => {
  it('takes the images its rows name from a folder picked once, reading no other file', async () => {
    const { page } = rig;
    await openArea(page, 'Compose');
    const dir = await mkdtemp(path.join(tmpdir(), 'qs-e2e-folder-'));
    try {
      const shoot = path.join(dir, 'shoot');
      for (const sub of ['sub', 'a', 'b', 'many']) await mkdir(path.join(shoot, sub), { recursive: true });
      await writeFile(path.join(shoot, 'mug.png'), await png('#c0392b'));
      await writeFile(path.join(shoot, 'sub', 'bottle.png'), await png('#2e86c1'));
      await writeFile(path.join(shoot, 'a', 'lamp.png'), await png('#f1c40f'));
      await writeFile(path.join(shoot, 'b', 'lamp.png'), await png('#8e44ad'));
      await writeFile(path.join(shoot, 'box.png'), 'not really a png');
      // Files the rows do not name, among them some that are no image at all.
      const other = await png('#95a5a6');
      for (let i = 0; i < 300; i++)
        await writeFile(path.join(shoot, 'many', `other-${i}.png`), i % 3 ? other : 'garbage');
      await writeFile(path.join(shoot, 'notes.txt'), 'notes');

      const csv =
        'prompt,refs\n' +
        'a mug,photos/mug.png\n' +
        'a bottle and a lamp,bottle.png;lamp.png\n' +
        'a box on a chair,box.png;chair.png\n';
      // Listening for file choosers from here on: Playwright turns its interception on without waiting for it,
      // so a listener added just before the key press could miss the chooser on a busy machine.
      const choosers: FileChooser[] = [];
      const onChooser = (c: FileChooser) => choosers.push(c);
      page.on('filechooser', onChooser);
      await page.getByLabel('Prompt file').setInputFiles(file('shoot.csv', Buffer.from(csv), 'text/csv'));
      const names = page.getByRole('list', { name: "Reference images the file's rows name" });
      await names.getByRole('listitem').filter({ hasText: 'chair.png' }).waitFor();

      // Every read of a file's content is recorded from here on.
      await page.evaluate(() => {
        const g = globalThis as unknown as {
          __reads: string[];
          Blob: { prototype: Record<string, unknown> };
        };
        g.__reads = [];
        for (const method of ['arrayBuffer', 'text', 'stream', 'slice', 'bytes']) {
          const original = g.Blob.prototype[method] as ((...a: unknown[]) => unknown) | undefined;
          if (!original) continue;
          g.Blob.prototype[method] = function (this: { name?: string }, ...args: unknown[]) {
            g.__reads.push(this.name ?? '(blob)');
            return original.apply(this, args);
          };
        }
      });

      // Reached and used from the keyboard.
      const pick = page.getByRole('button', { name: 'Pick the folder that holds them…' });
      await pick.press('Enter');
      await expect.poll(() => choosers.length).toBe(1);
      page.off('filechooser', onChooser);
      await choosers[0]!.setFiles(shoot);

      const status = page.locator('.file-refs').getByRole('status');
      await status
        .getByText('Added 2 of the 5 missing images from “shoot” (its subfolders searched too).')
        .waitFor();
      await status.getByText('Still missing: lamp.png, box.png, chair.png.').waitFor();
      await status
        .getByText(
          'lamp.png is in more than one place in the folder (shoot/a/lamp.png, shoot/b/lamp.png), so none was added — pick the one you mean by hand.',
        )
        .waitFor();
      await page
        .locator('.file-refs')
        .getByRole('alert')
        .filter({ hasText: 'box.png is not a PNG, JPEG, WebP or GIF image' })
        .waitFor();
      await names.getByRole('img', { name: 'mug.png' }).waitFor();
      await names.getByRole('img', { name: 'bottle.png' }).waitFor();
      expect(await names.getByRole('img').count()).toBe(2);
      const reads = await page.evaluate(() => (globalThis as unknown as { __reads: string[] }).__reads);
      expect([...new Set(reads)].sort()).toEqual(['bottle.png', 'box.png', 'mug.png']);
      // The folder's report in view, above the bar that holds Run.
      await status.evaluate((el) =>
        (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'center' }),
      );
      await screenshots(page, 'compose-csv-folder');

      // The rest picked by hand: the folder's report gives way to the file card's own.
      await page
        .getByLabel('Images the file names')
        .setInputFiles([
          file('lamp.png', await png('#f1c40f')),
          file('box.png', await png('#16a085')),
          file('chair.png', await png('#d35400')),
        ]);
      const allAdded = page.getByText(
        'All 5 reference images its rows name are added; each row sends its own.',
      );
      await allAdded.waitFor();
      // The buttons went with the last missing image: the keyboard's place, on them, is now that line.
      await expect
        .poll(() =>
          allAdded.evaluate(
            (el) => (globalThis as unknown as PageGlobals).document.activeElement === (el as unknown),
          ),
        )
        .toBe(true);
      expect(await page.locator('.file-refs').getByRole('status').innerText()).toBe('');
      expect(await page.locator('.file-refs').getByRole('alert').count()).toBe(0);
      await page.getByRole('button', { name: 'Remove file' }).click();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes the images by file name, previews each row with its own, and sends them with its job', async () => {
    const { page, bridge } = rig;
    await openArea(page, 'Compose');
    const mug = await png('#c0392b');
    const bottle = await png('#2e86c1');
    const csv =
      'prompt,seed,refs\n' +
      'a mug on a desk,42,photos/mug.png\n' +
      'a bottle beside a mug,7,bottle.png; photos/mug.png\n' +
      'a plain backdrop,,\n';

    // The file picked together with one of the two images it names.
    await page
      .getByLabel('Prompt file')
      .setInputFiles([file('products.csv', Buffer.from(csv), 'text/csv'), file('mug.png', mug)]);
    const names = page.getByRole('list', { name: "Reference images the file's rows name" });
    await names.getByRole('img', { name: 'mug.png' }).waitFor();
    await names.getByRole('listitem').filter({ hasText: 'bottle.png' }).getByText('not added').waitFor();
    // Not run with a row's image missing: the preview says which.
    await page.getByText('Add the reference image the file names (bottle.png) to run it.').waitFor();
    expect(await page.getByRole('button', { name: /^Run/ }).isDisabled()).toBe(true);
    // The picked image went to its rows, not to the batch's own references.
    expect(await page.getByText('0 / 4').count()).toBe(1);

    // An image the file does not name, and a "bottle.png" that is not an image, are refused on the card.
    const cardPicker = page.getByLabel('Images the file names');
    await cardPicker.setInputFiles([file('cat.png', await png('#777777'))]);
    await page
      .getByRole('alert')
      .filter({ hasText: 'cat.png is not an image products.csv names — its rows name mug.png, bottle.png.' })
      .waitFor();
    await cardPicker.setInputFiles([file('bottle.png', Buffer.from('not really a png'))]);
    await page
      .getByRole('alert')
      .filter({ hasText: 'bottle.png is not a PNG, JPEG, WebP or GIF image' })
      .waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'cat.png' }).count()).toBe(0);

    await cardPicker.setInputFiles([file('bottle.png', bottle)]);
    await names.getByRole('img', { name: 'bottle.png' }).waitFor();
    await page.getByText('All 2 reference images its rows name are added; each row sends its own.').waitFor();
    expect(await page.locator('.file-refs [role=alert]').count()).toBe(0);

    // The preview: each row with its own images in the row's order, and its own seed.
    const run = page.getByRole('button', { name: /^Run 3 jobs/ });
    await run.waitFor();
    const rows = page.getByRole('list', { name: 'Jobs this batch will run' }).getByRole('listitem');
    await expect.poll(() => rows.count()).toBe(3);
    const refsOf = (i: number) =>
      rows
        .nth(i)
        .getByRole('img')
        .evaluateAll((imgs) => imgs.map((img) => (img as unknown as { alt: string }).alt));
    expect(await refsOf(0)).toEqual(['mug.png']);
    expect(await refsOf(1)).toEqual(['bottle.png', 'mug.png']);
    expect(await refsOf(2)).toEqual([]);
    expect(await rows.nth(0).innerText()).toMatch(/seed 42/);
    expect(await rows.nth(1).innerText()).toMatch(/seed 7/);
    await page.getByRole('list', { name: 'Jobs this batch will run' }).scrollIntoViewIfNeeded();
    await screenshots(page, 'compose-csv-refs');

    await run.click();
    await page.getByRole('main', { name: 'Queue' }).waitFor();
    const [batch] = bridge.studio.batches.list();
    const jobs = bridge.studio.jobs.list({ batchId: batch!.id }).rows;
    expect(jobs.map((j) => [j.prompt, j.refHashes.map((h) => `sha256:${h}`), j.input.seed])).toEqual([
      ['a mug on a desk', [sha(mug)], 42],
      ['a bottle beside a mug', [sha(bottle), sha(mug)], 7],
      ['a plain backdrop', [], expect.any(Number)],
    ]);
  });

  it('lists every warning about the file on its card, not only the first', async () => {
    const { page } = rig;
    await openArea(page, 'Compose');
    const csv = 'prompt,refs\na,red/mug.png\nb,blue/mug.png\nc,red/cup.png\nd,blue/cup.png\n';
    await page.getByLabel('Prompt file').setInputFiles(file('twins.csv', Buffer.from(csv), 'text/csv'));
    const card = page.locator('.file-card');
    await card.getByText('twins.csv', { exact: true }).waitFor();
    await card.getByText(/^twins\.csv:3: .* are both called mug\.png/).waitFor();
    await card.getByText(/^twins\.csv:5: .* are both called cup\.png/).waitFor();
    await page.getByRole('button', { name: 'Remove file' }).click();
  });

  it('refuses a row naming more than four images, saying where', async () => {
    const { page } = rig;
    await openArea(page, 'Compose');
    const csv = 'prompt,refs\na crowded shelf,a.png;b.png;c.png;d.png;e.png\n';
    await page.getByLabel('Prompt file').setInputFiles(file('shelf.csv', Buffer.from(csv), 'text/csv'));
    await page
      .getByRole('alert')
      .filter({ hasText: '5 reference images given; the service takes at most 4' })
      .filter({ hasText: 'line 2' })
      .first()
      .waitFor();
    expect(rig.errors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });
});
