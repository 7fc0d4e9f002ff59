// The queue's controls and its banners: pausing and resuming everything or one job, and a refused key
// that pauses the queue until a good key is saved.
import { afterEach, describe, expect, it } from 'vitest';
import { openArea, screenshots, startRig, type Rig } from './rig.ts';
import type { Page } from 'playwright-core';
import { internalsOf } from '../../main/engine/internals.ts';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function composeAndRun(page: Page, prompt: string, name: string, jobs: number): Promise<void> {
  await openArea(page, 'Compose');
  await page.getByRole('textbox', { name: 'Prompts' }).fill(prompt);
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('button', { name: new RegExp(`^Run ${jobs} jobs?`) }).click();
  await page.getByRole('main', { name: 'Queue' }).waitFor();
}

describe('queue controls', () => {
  it('pauses and resumes the whole queue and a single job', async () => {
    rig = await startRig();
    const { page, bridge } = rig;
    await openArea(page, 'Queue');
    await page.getByText('Nothing in the queue').waitFor();
    await page.getByRole('button', { name: 'Pause queue' }).click();
    await page.getByRole('status').filter({ hasText: 'The queue is paused' }).waitFor();
    await page.getByText('Queue paused', { exact: true }).waitFor(); // the sidebar says so too

    await composeAndRun(page, 'held {one|two|three}', 'Held', 3);
    const batch = page.getByRole('article', { name: 'Held' });
    const jobs = batch.getByRole('table', { name: 'Jobs' });
    // Held by the paused queue: the jobs say they wait, not that they are about to run.
    await expect.poll(() => jobs.getByRole('row').filter({ hasText: 'Waiting (paused)' }).count()).toBe(3);
    await batch.getByText('On hold').waitFor();
    expect(internalsOf(bridge.studio).stores.jobs.counts().queued).toBe(3);

    await jobs.getByRole('button', { name: 'Pause job 1' }).click();
    await jobs.getByRole('row').filter({ hasText: 'held one' }).getByText('Paused').waitFor();
    await batch.getByText('1 paused').waitFor();
    await screenshots(page, 'queue-paused');
    await jobs.getByRole('button', { name: 'Resume job 1' }).click();
    await jobs.getByRole('row').filter({ hasText: 'held one' }).getByText('Waiting (paused)').waitFor();

    await page.getByRole('button', { name: 'Resume queue' }).click();
    await page
      .locator('[role=progressbar][aria-label="Progress of Held"][aria-valuetext="3 of 3 done"]')
      .waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'The queue is paused' }).count()).toBe(0);
    await page.getByRole('status').filter({ hasText: '“Held” finished — 3 of 3 done.' }).waitFor();
    expect(rig.errors).toEqual([]);
  });
});

describe('a refused API key', () => {
  it('pauses the queue with a banner that leads to Settings, and a good key lets it finish', async () => {
    rig = await startRig({ apiKey: 'bad-key-0000', simulator: { apiKeys: ['good-key-1234'] } });
    const { page } = rig;
    await composeAndRun(page, 'locked {door|gate}', 'Locked', 2);

    const banner = page.getByRole('alert').filter({ hasText: 'The API key was refused' });
    await banner.waitFor();
    await banner.getByText('Save a valid key in Settings, then resume the queue.').waitFor();
    await screenshots(page, 'queue-auth');

    await banner.getByRole('button', { name: 'Open Settings' }).click();
    await page.getByRole('main', { name: 'Settings' }).waitFor();
    await page.getByLabel('Replace the key').fill('good-key-1234');
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByText('API key saved.').waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Connected to / })
      .waitFor();

    await page.keyboard.press('Control+2');
    await page.getByRole('main', { name: 'Queue' }).waitFor();
    await page.getByRole('button', { name: 'Resume queue' }).click();
    await page
      .locator('[role=progressbar][aria-label="Progress of Locked"][aria-valuetext="2 of 2 done"]')
      .waitFor();
    expect(await banner.count()).toBe(0);
    // The refused create was answered 401 by the service: the page reports it, nothing else went wrong.
    expect(rig.errors.filter((e) => !/401|403/.test(e))).toEqual([]);
  });
});
