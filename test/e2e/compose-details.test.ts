// Small things a newcomer got wrong answers from, each checked where it is seen: the preview says how many
// jobs are below its fold, three references picked at once stay in the order picked, the budget hint warns
// only when the budget is below the estimate, the sidebar never says "Queue idle" while a paused batch has
// jobs waiting, and Settings shows the service address in use and where the key really comes from.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArea, startRig, type Rig } from './rig.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ simulator: { faults: { latencyMs: 30, jitterMs: 10 } } });
});
afterAll(async () => {
  await rig?.close();
});

describe('Compose details', () => {
  it("keeps the side column's cards inside the column (English labels are the longest)", async () => {
    const { page } = rig;
    await page.getByRole('button', { name: 'Import presets' }).first().waitFor();
    const side = page.locator('.compose__side');
    const fits = await side.evaluate((el) => {
      const e = el as unknown as { scrollWidth: number; clientWidth: number };
      return e.scrollWidth <= e.clientWidth;
    });
    expect(fits).toBe(true);
  });

  it('says how many more jobs the preview holds below its fold', async () => {
    const { page } = rig;
    await page.getByRole('textbox', { name: 'Prompts' }).fill('a {1|2|3|4|5|6} {a|b|c|d|e} kite');
    await page.getByRole('button', { name: /^Run 30 jobs/ }).waitFor();
    const more = page.locator('.plan-more');
    await more.waitFor();
    const rows = await page
      .getByRole('list', { name: 'Jobs this batch will run' })
      .getByRole('listitem')
      .count();
    // Rendered rows include a few past the fold; what is said is what is not visible yet.
    const n = Number(/^\+(\d+) more below — scroll the list$/.exec((await more.innerText()).trim())?.[1]);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(30);
    expect(rows).toBeLessThan(30);
  });

  it('keeps three references picked at once in the order they were picked', async () => {
    const { page } = rig;
    // The first is much larger, so its check finishes last.
    const big = await sharp({
      create: { width: 2400, height: 1800, channels: 3, background: '#8e44ad' },
    })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const small = (c: string) =>
      sharp({ create: { width: 16, height: 16, channels: 3, background: c } })
        .png()
        .toBuffer();
    await page.getByLabel('Reference image files').setInputFiles([
      { name: 'first-big.png', mimeType: 'image/png', buffer: big },
      { name: 'second.png', mimeType: 'image/png', buffer: await small('#16a085') },
      { name: 'third.png', mimeType: 'image/png', buffer: await small('#d35400') },
    ]);
    await page.getByText('3 / 4').waitFor();
    const order = await page
      .locator('.refs__list .ref__img')
      .evaluateAll((imgs) => imgs.map((i) => (i as unknown as { alt: string }).alt));
    expect(order).toEqual(['Reference first-big.png', 'Reference second.png', 'Reference third.png']);
    for (const name of ['first-big.png', 'second.png', 'third.png'])
      await page.getByRole('button', { name: `Remove reference ${name}` }).click();
  });

  it('warns that the budget is below the estimate only when it is', async () => {
    const { page } = rig;
    await page.getByRole('textbox', { name: 'Prompts' }).fill('a {red|blue} lantern');
    await page.getByRole('button', { name: /^Run 2 jobs/ }).waitFor();
    const budget = page.getByRole('textbox', { name: 'Budget' });
    const hint = page.locator('#budget-help');
    await budget.fill('1');
    await hint.getByText('Below the estimate: the batch pauses before it spends 1 credits').waitFor();
    expect(await hint.getAttribute('class')).toContain('hint--warn');
    await budget.fill('100000');
    await hint.getByText('Pauses the batch before it spends more than 100,000 credits').waitFor();
    expect(await hint.getAttribute('class')).not.toContain('hint--warn');
    await budget.fill('');
  });
});

describe('status and settings', () => {
  it('never says "Queue idle" while a paused batch has jobs waiting', async () => {
    const { page, bridge } = rig;
    // Held before anything of it is sent: the queue paused while the batch is added and paused.
    bridge.studio.queue.pause();
    const { batchId } = bridge.studio.batches.create({
      name: 'Held',
      entries: [{ prompt: 'a {1|2|3|4|5} paper boat' }],
    });
    bridge.studio.batches.pause(batchId);
    bridge.studio.queue.resume();
    const pill = page.locator('.queue-pill');
    await expect.poll(() => pill.innerText()).toBe('5 jobs waiting in paused batches');
    bridge.studio.batches.cancel(batchId);
    await expect.poll(() => pill.innerText()).toBe('Queue idle');
  });

  it('shows the service address in use and where the key comes from', async () => {
    const { page, sim } = rig;
    await openArea(page, 'Settings');
    await page
      .getByText('A key is set. Read from the environment (QWEN_STUDIO_API_KEY) for this run only.')
      .waitFor();
    await page.getByText('Advanced').click();
    expect(await page.getByRole('textbox', { name: 'Base URL' }).inputValue()).toBe(sim.url);
    await page.getByText(/This run uses the address above \(set when the studio started\)/).waitFor();

    // A key pasted here is this session's, not the environment's.
    await page.getByLabel('Replace the key').fill('sk-pasted-in-the-page');
    await page.getByRole('button', { name: 'Save key' }).click();
    await page
      .getByText('A key is set. Kept in memory for this session only; it is gone when the studio stops.')
      .waitFor();
    expect(await page.getByText('Read from the environment').count()).toBe(0);
  });
});
