// Moving "all N matching" to the trash runs as a task with progress and Cancel (issue 10 item 5): a cancel
// stops between two images, the images whose files had not left come back, and the toast's Undo takes back
// the rest. The engine is held half way by a test hook, so nothing here depends on timing.
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedAssets } from '../helpers/db.ts';
import { holdBulkAt, library } from './library-helpers.ts';
import { openArea, screenshots, startRig, type Rig } from './rig.ts';
import { internalsOf } from '../../main/engine/internals.ts';

const LAMPS = 600;
const HOLD_AT = 200;
/** The machine may be busy: wait generously (nothing here is timed). */
const SLOW = { timeout: 30_000 };

let rig: Rig;
let hold: ReturnType<typeof holdBulkAt>;
let files: string[];
beforeAll(async () => {
  rig = await startRig();
  const dir = path.join(rig.dataDir, 'library', 'seeded');
  await mkdir(dir, { recursive: true });
  const first = path.join(dir, 'lamp-0.png');
  await sharp({ create: { width: 64, height: 64, channels: 3, background: '#aa7744' } })
    .png()
    .toFile(first);
  files = Array.from({ length: LAMPS }, (_, i) => path.join(dir, `lamp-${i}.png`));
  for (const f of files.slice(1)) await copyFile(first, f);
  const teapot = path.join(dir, 'teapot.png');
  await copyFile(first, teapot);
  const t0 = Date.now() - 3_600_000;
  seedAssets(internalsOf(rig.bridge.studio).stores.db, LAMPS + 5, {
    dir,
    path: (i) => (i < LAMPS ? files[i]! : teapot),
    prompt: (i) => (i < LAMPS ? `a desk lamp ${i}` : `a teapot ${i}`),
    createdAt: (i) => t0 + i * 1000,
  });
  hold = holdBulkAt(rig.bridge.studio, HOLD_AT, HOLD_AT);
});
afterAll(async () => {
  hold?.release();
  await rig?.close();
});

it('a trash of all matching shows its progress; Cancel keeps what went, brings back the rest, and Undo the rest', async () => {
  const { page, bridge } = rig;
  const lib = library(page);
  await openArea(page, 'Library');
  await lib.search.fill('lamp');
  await expect.poll(() => lib.count(), SLOW).toBe(LAMPS);
  // The tiles on screen have their pictures before any of them leaves (one answered after its image went
  // to the trash would be a 404 in the console, not a fault of the trash).
  await expect
    .poll(() => lib.grid.evaluate((g) => [...g.querySelectorAll('img')].every((img) => img.complete)), SLOW)
    .toBe(true);

  await lib.grid.getByRole('button').first().focus();
  await page.keyboard.press('Control+a');
  await lib.bulk
    .getByRole('button', { name: `Select all ${LAMPS.toLocaleString('en-US')} images matching` })
    .click();
  await lib.bulk.getByRole('button', { name: 'Trash' }).click();

  const running = page.getByRole('listitem', { name: 'Changing the images' });
  await running.getByText(`${HOLD_AT} of ${LAMPS} images…`).waitFor(SLOW);
  await screenshots(page, 'library-trash-progress');
  await hold.cancel(running.getByRole('button', { name: 'Cancel' }));

  await page
    .getByRole('listitem', { name: 'Bulk change canceled' })
    .getByText(
      `Stopped after ${HOLD_AT} of ${LAMPS} images: ${HOLD_AT} moved to the trash, the rest left in the library.`,
    )
    .waitFor(SLOW);
  expect(bridge.studio.library.count('lamp')).toBe(LAMPS - HOLD_AT);
  // Newest first: the newest lamps went, their files with them; the others never moved.
  const gone = files.slice(LAMPS - HOLD_AT);
  for (const f of gone) expect(existsSync(f)).toBe(false);
  for (const f of files.slice(0, LAMPS - HOLD_AT)) expect(existsSync(f)).toBe(true);
  await expect.poll(() => lib.count(), SLOW).toBe(LAMPS - HOLD_AT);

  const toast = page.getByRole('status').filter({ hasText: `Moved ${HOLD_AT} images to the trash.` });
  await toast.getByRole('button', { name: 'Undo' }).click();
  await page.getByText(`Restored ${HOLD_AT} images.`).waitFor(SLOW);
  await expect.poll(() => lib.count(), SLOW).toBe(LAMPS);
  for (const f of files) expect(existsSync(f)).toBe(true);
  expect(rig.errors).toEqual([]);
});
