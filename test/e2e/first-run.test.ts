// The first start without an API key: a setup screen that takes a key or starts the local simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArea, screenshots, startRig, type Rig } from './rig.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ apiKey: null, startSimulator: true });
});
afterAll(async () => {
  await rig?.close();
});

describe('first run without a key', () => {
  it('offers to paste a key or to try the simulator, and labels simulator mode everywhere', async () => {
    const { page, bridge } = rig;
    const setup = page.getByRole('main', { name: 'Welcome — let’s connect to Qwen Image' });
    await setup.waitFor();
    await screenshots(page, 'setup');

    await setup.getByLabel('Paste your API key').fill('short');
    await setup.getByRole('button', { name: 'Save key' }).click();
    await setup.getByRole('alert').filter({ hasText: 'key: that does not look like an API key' }).waitFor();
    expect(bridge.studio.settings.apiKey()).toBeNull();

    await setup.getByRole('button', { name: 'Try it with the local simulator' }).click();
    const badge = page
      .getByRole('status')
      .filter({ hasText: 'Simulator mode — images are generated locally' });
    await badge.waitFor();
    await page.getByRole('main', { name: 'Compose' }).waitFor();
    expect(bridge.studio.settings.apiBase()).not.toBe(rig.sim.url); // the bridge's own simulator, not the test's

    await page.getByRole('textbox', { name: 'Prompts' }).fill('a lighthouse at dusk');
    await page.getByRole('button', { name: /^Run 1 job/ }).click();
    await page.locator('[role=progressbar][aria-valuetext="1 of 1 done"]').waitFor();
    await openArea(page, 'Library');
    await page
      .getByRole('list', { name: 'Images' })
      .getByRole('button', { name: 'a lighthouse at dusk' })
      .waitFor();
    expect(await badge.isVisible()).toBe(true);

    await openArea(page, 'Settings');
    await page
      .getByText('Simulator mode: no key is used and nothing is charged.', { exact: false })
      .waitFor();
    // The one failed request is the refused short key (the browser logs every 4xx answer).
    expect(rig.errors).toEqual([
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });
});
