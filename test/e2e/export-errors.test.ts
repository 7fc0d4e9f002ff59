// An export the engine refuses — over an existing zip, to a path that is not a full path, into a file, or
// of a selection whose images were trashed meanwhile — says why inside the export form, where the person
// acted, with the form still open to correct it; the bridge answers 4xx (a mistake, not a crash).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/engine/store/db.ts';
import { generate, library } from './library-helpers.ts';
import { dismissToasts, openArea, startRig, type Rig } from './rig.ts';

let rig: Rig;
let work: string;
const statuses: number[] = [];
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qs-e2e-export-'));
  rig = await startRig({ simulator: { faults: { latencyMs: 30, jitterMs: 10 } } });
  rig.page.on('response', (res) => {
    if (res.url().includes('/api/call/library.export')) statuses.push(res.status());
  });
  await generate(rig.bridge.studio, {
    name: 'Exports',
    entries: [{ prompt: 'a copper kettle' }, { prompt: 'a glass teapot' }],
  });
});
afterAll(async () => {
  await rig?.close();
  await rm(work, { recursive: true, force: true });
});

function exportForm(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Export' });
  return {
    dialog,
    alert: dialog.getByRole('alert'),
    async submit(format: 'Zip file' | 'Folder', out: string) {
      await dialog.getByRole('radio', { name: format }).click();
      await dialog.getByRole('textbox', { name: /full path/ }).fill(out);
      await dialog.getByRole('button', { name: 'Export' }).click();
    },
  };
}

describe('export errors', () => {
  it('are shown in the export form, which stays open, and come back as 4xx', async () => {
    const { page, bridge } = rig;
    await page.reload();
    await openArea(page, 'Library');
    const lib = library(page);
    await expect.poll(() => lib.count()).toBe(2);
    await lib.tile('a copper kettle').click({ modifiers: ['Control'] });
    await lib.bulk.getByText('1 selected').waitFor();
    await lib.bulk.getByRole('button', { name: 'Export' }).click();
    const form = exportForm(page);

    const existing = path.join(work, 'taken.zip');
    await writeFile(existing, 'someone else’s archive');
    await form.submit('Zip file', existing);
    await form.alert
      .getByText(`${existing} already exists — choose another name or delete it first.`)
      .waitFor();
    expect(await form.dialog.isVisible()).toBe(true);

    // The next try clears the old message, and says what is wrong with this one.
    await form.submit('Zip file', 'exports/kettle.zip');
    await form.alert.getByText(/must be a full path/).waitFor();
    expect(await form.alert.getByText(/already exists/).count()).toBe(0);

    const file = path.join(work, 'notes.txt');
    await writeFile(file, 'a file, not a folder');
    await form.submit('Folder', file);
    await form.alert.getByText(`${file} is a file, not a folder — choose a folder to export into.`).waitFor();

    // Changing the path clears a message that no longer applies.
    await form.dialog.getByRole('textbox', { name: /full path/ }).fill(path.join(work, 'out'));
    expect(await form.alert.count()).toBe(0);

    // The selected image went to the trash from another program (the CLI's \`delete\` on the same data
    // folder) while the form was open: nothing is left to export.
    const kettle = bridge.studio.library.search('kettle').rows[0]!.id;
    const other = openDatabase(path.join(rig.dataDir, 'studio.db'));
    other.prepare('UPDATE assets SET deleted_at = ? WHERE id = ?').run(Date.now(), kettle);
    other.close();
    await form.dialog.getByRole('button', { name: 'Export' }).click();
    await form.alert.getByText('Nothing to export: no image is in the selection any more.').waitFor();

    // None of these went to a toast instead.
    const toasts = page.getByRole('region', { name: 'Notifications' });
    expect(await toasts.getByText(/already exists|full path|not a folder|Nothing to export/).count()).toBe(0);
    expect(statuses).toEqual([409, 400, 400, 400]);
    await page.keyboard.press('Escape');
    await dismissToasts(page);
    expect(rig.errors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });
});
