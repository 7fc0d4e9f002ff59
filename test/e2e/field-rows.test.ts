// Every form row names its control with its label and describes it with the lines under it (hint, error,
// counter), as a screen reader reads them: Compose, a sweep axis, the wildcards dialog, Settings, in English
// and in Chinese.
import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openArea, startRig, type Rig } from './rig.ts';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

interface Described {
  getAttribute(name: string): string | null;
  ownerDocument: { getElementById(id: string): { textContent: string | null } | null };
}

/** Whether the control has the keyboard focus. */
function focused(control: Locator): Promise<boolean> {
  return control.evaluate((el) => {
    const e = el as unknown as { ownerDocument: { activeElement: unknown } };
    return e.ownerDocument.activeElement === e;
  });
}

/** The control's accessible description: the text of the elements its aria-describedby names, in order. */
function description(control: Locator): Promise<string> {
  return control.evaluate((el) => {
    const e = el as unknown as Described;
    return (e.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => e.ownerDocument.getElementById(id)?.textContent?.trim() ?? `(no #${id})`)
      .join(' | ');
  });
}

async function settingsRows(page: Page, words: Record<string, string>): Promise<void> {
  const concurrency = page.getByLabel(words.concurrency!, { exact: true });
  expect(await description(concurrency)).toBe(words.concurrencyHint);
  await page.getByText(words.advanced!, { exact: true }).click();
  expect(await description(page.getByLabel(words.workspace!, { exact: true }))).toBe(words.workspaceHint);
  expect(await description(page.getByLabel(words.baseUrl!, { exact: true }))).toContain(words.baseDefault);
}

describe('form rows', () => {
  it('label and describe their controls in Compose, the sweep, the wildcards dialog and Settings', async () => {
    rig = await startRig({ simulator: { maxImageSide: 96 } });
    const { page } = rig;
    await page.getByRole('main', { name: 'Compose' }).waitFor();

    // Labels name their controls (a click on one focuses its control).
    for (const [label, role] of [
      ['Name', 'textbox'],
      ['Model', 'combobox'],
      ['Runs per prompt', 'spinbutton'],
      ['Budget', 'textbox'],
      ['Negative prompt', 'textbox'],
    ] as const) {
      await page.getByText(label, { exact: true }).click();
      expect(await focused(page.getByRole(role, { name: label, exact: true })), label).toBe(true);
    }

    const budget = page.getByRole('textbox', { name: 'Budget' });
    expect(await description(budget)).toBe('Pauses the batch before it spends more');
    await budget.fill('100000');
    expect(await description(budget)).toBe('Pauses the batch before it spends more than 100,000 credits');
    await budget.fill('lots');
    expect(await budget.getAttribute('aria-invalid')).toBe('true');
    await budget.fill('');

    // The counter describes the negative prompt; once over the limit, the error too, and it is invalid.
    const negative = page.getByRole('textbox', { name: 'Negative prompt' });
    expect(await description(negative)).toBe('0 / 500');
    expect(await negative.getAttribute('aria-invalid')).not.toBe('true');
    await negative.fill('x'.repeat(502));
    expect(await description(negative)).toBe('502 / 500 | 2 characters over the limit — shorten it to run.');
    expect(await negative.getAttribute('aria-invalid')).toBe('true');
    await negative.fill('');

    // A sweep axis: its letter labels its parameter; the hint under the axes describes their values.
    await page.getByRole('button', { name: 'Add an axis' }).click();
    await page.getByText('X', { exact: true }).click();
    expect(await focused(page.getByRole('combobox', { name: 'Parameter of axis X' }))).toBe(true);
    expect(await description(page.getByRole('textbox', { name: 'Values of axis X' }))).toMatch(
      /^Comma-separated; seeds and images take ranges/,
    );

    await page.getByRole('button', { name: 'Wildcards…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Wildcards' });
    await dialog.getByLabel('Name', { exact: true }).fill('colors');
    await dialog.getByLabel('Options', { exact: true }).fill('red\nblue');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('button', { name: /__colors__/ }).waitFor();
    await page.keyboard.press('Escape');

    await openArea(page, 'Settings');
    await settingsRows(page, {
      concurrency: 'Generations at once',
      concurrencyHint:
        'The queue halves this by itself when the service asks it to slow down, then grows back.',
      advanced: 'Advanced: service address',
      workspace: 'Workspace',
      workspaceHint:
        "Leave empty for the key's own workspace. Set it when your generations run in another workspace, so a create whose answer was lost is found in that workspace's running list.",
      baseUrl: 'Base URL',
      baseDefault: 'Default: https://open.skills.video/api.',
    });
    expect(rig.errors).toEqual([]);
  });

  it('does so in Chinese too', async () => {
    rig = await startRig({ locale: 'zh-CN' });
    const { page } = rig;
    await page.getByRole('navigation', { name: '功能区' }).getByRole('button', { name: '设置' }).click();
    await page.getByRole('main', { name: '设置' }).waitFor();
    await settingsRows(page, {
      concurrency: '同时生成数',
      concurrencyHint: '服务要求放慢时，队列会自动减半，之后再逐渐恢复。',
      advanced: '高级：服务地址',
      workspace: '工作区',
      workspaceHint:
        '留空即使用密钥默认的工作区。若生成任务在其他工作区运行，请填写，以便在该工作区的运行列表中找回响应丢失的任务。',
      baseUrl: '服务地址',
      baseDefault: 'https://open.skills.video/api',
    });
    expect(rig.errors).toEqual([]);
  });
});
