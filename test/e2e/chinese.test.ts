// The main path in Chinese, the way a person whose system is set to Chinese meets the studio: the UI
// follows the browser's language, prompts typed through an input method (IME) never run or submit while a
// candidate is being chosen, and the language can be switched in Settings and is remembered.
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshots, startRig, type Rig } from './rig.ts';

let rig: Rig;
let cdp: CDPSession;
beforeAll(async () => {
  rig = await startRig({ locale: 'zh-CN' });
  cdp = await rig.page.context().newCDPSession(rig.page);
});
afterAll(async () => {
  await rig?.close();
});

async function area(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: '功能区' }).getByRole('button', { name }).click();
  await page.getByRole('main', { name }).waitFor();
}

/** Starts an IME composition of `text` in the focused field, as pinyin input does before a candidate is chosen. */
async function compose(text: string): Promise<void> {
  await cdp.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length });
}

/** Enter (with modifiers) as the IME sends it while composing: keyCode 229, isComposing set. */
async function enterWhileComposing(modifiers = 0): Promise<void> {
  for (const type of ['rawKeyDown', 'keyUp'] as const) {
    await cdp.send('Input.dispatchKeyEvent', {
      type,
      key: 'Enter',
      code: 'Enter',
      windowsVirtualKeyCode: 229,
      nativeVirtualKeyCode: 229,
      modifiers,
    });
  }
}

const CTRL = 2;

describe('in Chinese', () => {
  it('composes with an IME, runs, finds and organises images, all in Chinese', async () => {
    const { page, bridge } = rig;
    await page.getByRole('main', { name: '创作' }).waitFor();
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { lang: string } } }).document
            .documentElement.lang,
      ),
    ).toBe('zh-CN');

    // Typing a prompt through pinyin: Ctrl+Enter while a candidate is open must not run the batch, and the
    // {a|b} highlight must draw exactly the text the field holds at every step.
    const editor = page.getByRole('textbox', { name: '提示词', exact: true });
    await editor.click();
    await page.keyboard.insertText('一只{红色|蓝色}的');
    await compose('mao');
    await enterWhileComposing(CTRL);
    await enterWhileComposing();
    const mirrorMatches = () =>
      page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: { querySelector(s: string): { value?: string; textContent: string | null } | null };
          }
        ).document;
        const field = doc.querySelector('#prompt-editor')!;
        const mirror = doc.querySelector('.editor__mirror')!;
        return mirror.textContent === `${field.value}\n `;
      });
    expect(await mirrorMatches()).toBe(true);
    await cdp.send('Input.insertText', { text: '猫' });
    await expect.poll(() => editor.inputValue()).toBe('一只{红色|蓝色}的猫');
    expect(await mirrorMatches()).toBe(true);
    expect(bridge.studio.batches.list()).toHaveLength(0);
    await page.getByRole('main', { name: '创作' }).waitFor();

    // The name defaults to the first expanded prompt, never the template.
    await expect
      .poll(() => page.getByRole('textbox', { name: '名称' }).getAttribute('placeholder'))
      .toBe('一只红色的猫');
    await page.getByRole('list', { name: '此批次将运行的任务' }).getByText('一只蓝色的猫').waitFor();
    await screenshots(page, 'compose-zh');
    await page.getByRole('button', { name: /^运行 2 个任务/ }).click();

    await page.getByRole('main', { name: '队列' }).waitFor();
    await page
      .locator('[role=progressbar][aria-label="一只红色的猫 的进度"][aria-valuetext="已完成 2/2"]')
      .waitFor();
    await page.getByRole('article', { name: '一只红色的猫' }).getByText('已完成', { exact: true }).waitFor();
    await screenshots(page, 'queue-zh');

    // A job's thumbnail, named in Chinese, opens its image in the Library's details.
    await page.getByRole('button', { name: '在图库中打开任务 2 的第 1 张图片' }).click();
    await page.getByRole('main', { name: '图库' }).waitFor();
    await page
      .getByRole('complementary', { name: '图片详情' })
      .getByText('一只蓝色的猫', { exact: true })
      .waitFor();
    const grid = page.getByRole('list', { name: '图片' });
    await expect.poll(() => grid.getByRole('img').count()).toBe(2);
    await page.getByRole('searchbox', { name: '搜索提示词' }).fill('蓝色');
    await expect.poll(() => grid.getByRole('button').count()).toBe(1);
    await grid.getByRole('button', { name: '一只蓝色的猫' }).click();
    const details = page.getByRole('complementary', { name: '图片详情' });
    await details.getByRole('button', { name: '收藏' }).click();

    // A tag typed through the IME: Enter picks the candidate, it does not add a half-typed tag.
    const tagField = details.getByRole('combobox', { name: '添加标签' });
    await tagField.click();
    await compose('fengjing');
    await enterWhileComposing();
    await cdp.send('Input.insertText', { text: '风景' });
    expect(await details.getByRole('list', { name: '标签' }).count()).toBe(0);
    await page.keyboard.press('Enter');
    await details.getByRole('list', { name: '标签' }).getByText('风景').waitFor();
    await expect.poll(() => bridge.studio.library.search('tag:风景 fav').rows.length).toBe(1);
    await screenshots(page, 'library-zh');

    // The search box: Enter while composing does not search for the half-typed pinyin.
    const search = page.getByRole('searchbox', { name: '搜索提示词' });
    await search.fill('');
    await search.click();
    await compose('hongse');
    await enterWhileComposing();
    await cdp.send('Input.insertText', { text: '红色' });
    await expect.poll(() => grid.getByRole('button').count()).toBe(1);
    await grid.getByRole('button', { name: '一只红色的猫' }).waitFor();
    expect(rig.errors).toEqual([]);
  });

  it('switches the language in Settings and remembers it', async () => {
    const { page, bridge } = rig;
    await area(page, '设置');
    await screenshots(page, 'settings-zh');
    await page.getByRole('group', { name: '语言' }).getByRole('radio', { name: 'English' }).click();
    await page.getByRole('main', { name: 'Settings' }).waitFor();
    await expect.poll(() => bridge.studio.settings.get().language).toBe('en');
    await page.reload();
    await page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('group', { name: 'Language' }).getByRole('radio', { name: 'System' }).click();
    await page.getByRole('main', { name: '设置' }).waitFor();
    expect(rig.errors).toEqual([]);
  });
});
