// The main path a person takes: compose a template batch with a reference image, run it, watch the queue
// finish, find a result in the library, organise it (favorite, tag) and find it by that, and re-run it with
// the same settings. chinese.test.ts walks the same path in Chinese.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArea, screenshots, startRig, type PageGlobals, type Rig } from './rig.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

describe('compose → queue → library', () => {
  it('runs a 6-job template batch with a reference, finds a result, and re-runs it', async () => {
    const { page, bridge } = rig;
    const compose = page.getByRole('main', { name: 'Compose' });
    await compose.waitFor();

    await page.getByRole('textbox', { name: 'Prompts' }).fill('a {red|blue|green} {car|boat}');
    await page.getByRole('textbox', { name: 'Name' }).fill('Vehicles');
    const ref = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#e0673a' } })
      .png()
      .toBuffer();
    await page
      .getByLabel('Reference image files')
      .setInputFiles({ name: 'ref.png', mimeType: 'image/png', buffer: ref });
    await page.getByRole('img', { name: 'Reference ref.png' }).waitFor();
    await page.getByText('1 / 4').waitFor();

    // The preview lists exactly the six expansions, in order.
    const run = page.getByRole('button', { name: /^Run 6 jobs/ });
    await run.waitFor();
    const preview = page.getByRole('list', { name: 'Jobs this batch will run' });
    await expect
      .poll(() => preview.getByRole('listitem').allTextContents())
      .toEqual([
        expect.stringMatching(/^#1a red car/),
        expect.stringMatching(/^#2a red boat/),
        expect.stringMatching(/^#3a blue car/),
        expect.stringMatching(/^#4a blue boat/),
        expect.stringMatching(/^#5a green car/),
        expect.stringMatching(/^#6a green boat/),
      ]);
    await screenshots(page, 'compose');

    await run.click();
    await page.getByRole('main', { name: 'Queue' }).waitFor();
    await page
      .locator('[role=progressbar][aria-label="Progress of Vehicles"][aria-valuetext="6 of 6 done"]')
      .waitFor();
    const jobs = page.getByRole('table', { name: 'Jobs' });
    await expect.poll(() => jobs.getByRole('row').filter({ hasText: 'Done' }).count()).toBe(6);
    await page.getByRole('article', { name: 'Vehicles' }).getByText('Finished').waitFor();
    await screenshots(page, 'queue');

    await openArea(page, 'Library');
    const grid = page.getByRole('list', { name: 'Images' });
    await expect.poll(() => grid.getByRole('img').count()).toBe(6);
    await page.getByRole('searchbox', { name: 'Search prompts' }).fill('green boat');
    await expect.poll(() => grid.getByRole('img').count()).toBe(1);
    await grid.getByRole('button', { name: 'a green boat' }).click();
    const details = page.getByRole('complementary', { name: 'Image details' });
    await details.getByText('a green boat', { exact: true }).waitFor();
    await details.getByText('ref.png').waitFor();
    await details.getByText('1024×1024', { exact: true }).waitFor();
    const seed = (await details.locator('dt:text-is("Seed") + dd').innerText()).trim();
    expect(seed).toMatch(/^\d+$/);

    // Organise it, and find it again by what was given to it.
    await details.getByRole('button', { name: 'Favorite' }).click();
    await details.getByRole('combobox', { name: 'Add a tag' }).fill('keeper');
    await page.keyboard.press('Enter');
    await details.getByRole('list', { name: 'Tags' }).getByText('keeper').waitFor();
    await page.getByRole('searchbox', { name: 'Search prompts' }).fill('tag:keeper fav');
    await expect.poll(() => grid.getByRole('img').count()).toBe(1);
    expect(bridge.studio.library.search('tag:keeper fav').rows.map((r) => r.prompt)).toEqual([
      'a green boat',
    ]);
    await screenshots(page, 'library');

    await details.getByRole('button', { name: 'Re-run with these settings' }).click();
    await compose.waitFor();
    expect(await page.getByRole('textbox', { name: 'Prompts' }).inputValue()).toBe('a green boat');
    expect(await page.getByRole('radio', { name: 'Fixed' }).isChecked()).toBe(true);
    expect(await page.getByRole('spinbutton', { name: 'Seed value' }).inputValue()).toBe(seed);
    await page.getByRole('img', { name: 'Reference ref.png' }).waitFor();
    await page.getByRole('button', { name: /^Run 1 job/ }).click();
    await page
      .locator('[role=progressbar][aria-label="Progress of Re-run: Vehicles"][aria-valuetext="1 of 1 done"]')
      .waitFor();

    // The engine received the same prompt, seed and reference as the original job.
    const [rerun, original] = bridge.studio.batches.list();
    const rerunJob = internalsOf(bridge.studio).stores.jobs.list({ batchId: rerun!.id }).rows[0]!;
    const originalJob = internalsOf(bridge.studio)
      .stores.jobs.list({ batchId: original!.id })
      .rows.find((j) => j.prompt === 'a green boat')!;
    expect(rerunJob.input).toEqual(originalJob.input);
    expect(rerunJob.refHashes).toEqual(originalJob.refHashes);

    await openArea(page, 'Settings');
    await page.getByRole('heading', { name: 'Default parameters' }).waitFor();
    await screenshots(page, 'settings');
    // The theme setting is saved and applied at once.
    await page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: 'Dark' }).click();
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme === 'dark',
    );
    await expect.poll(() => bridge.studio.settings.get().theme).toBe('dark');
    await page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: 'System' }).click();
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme === 'light',
    );
    expect(rig.errors).toEqual([]);
  });

  it('blocks Run on a long negative prompt, explains a refused reference, and loads a CSV with per-row settings', async () => {
    const { page } = rig;
    await openArea(page, 'Compose');
    await page.getByRole('button', { name: 'Remove reference ref.png' }).click();
    await page.getByRole('textbox', { name: 'Prompts' }).fill('a quiet harbour');
    const negative = page.getByRole('textbox', { name: 'Negative prompt' });
    await negative.fill('x'.repeat(501));
    await page.getByText('501 / 500').waitFor();
    expect(await page.locator('.counter--over').count()).toBe(1);
    await page.getByText('The negative prompt is 501 characters; the limit is 500.').waitFor();
    expect(await page.getByRole('button', { name: /^Run/ }).isDisabled()).toBe(true);
    await negative.fill('blurry');
    await page.getByRole('button', { name: /^Run 1 job/ }).waitFor();
    expect(await page.getByRole('button', { name: /^Run 1 job/ }).isDisabled()).toBe(false);

    await page
      .getByLabel('Reference image files')
      .setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
    await page
      .getByRole('alert')
      .filter({ hasText: 'notes.png is not a PNG, JPEG, WebP or GIF image — convert it to one of those' })
      .first()
      .waitFor();
    expect(await page.getByText('0 / 4').count()).toBe(1);

    const csv = 'prompt,aspect_ratio,num_images\na {cat|dog} in the rain,16:9,2\na lighthouse,1:1,\n';
    await page
      .getByLabel('Prompt file')
      .setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText('list.csv', { exact: true }).waitFor();
    await page.getByRole('button', { name: /^Run 3 jobs/ }).waitFor();
    const preview = page.getByRole('list', { name: 'Jobs this batch will run' });
    await expect
      .poll(() => preview.getByRole('listitem').allInnerTexts())
      .toEqual([
        expect.stringMatching(/a cat in the rain[\s\S]*16:9[\s\S]*×2/),
        expect.stringMatching(/a dog in the rain[\s\S]*16:9[\s\S]*×2/),
        expect.stringMatching(/a lighthouse[\s\S]*1:1/),
      ]);
    await page.getByRole('button', { name: 'Remove file' }).click();
    expect(await page.getByRole('textbox', { name: 'Prompts' }).inputValue()).toBe('a quiet harbour');
  });
});
