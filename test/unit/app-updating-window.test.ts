// The window a one-time catalog update shows: static words in the system's language, nothing that runs.
import { describe, expect, it } from 'vitest';
import { updatingPage, updatingWords } from '../../main/app/updating-page.ts';

const html = (locale: string) =>
  decodeURIComponent(updatingPage(locale).replace(/^data:text\/html;charset=utf-8,/, ''));

describe('the updating window', () => {
  it('speaks Chinese where the system does, English elsewhere', () => {
    expect(updatingWords('zh-CN').title).toBe('正在更新图库');
    expect(updatingWords('zh-TW').body).toMatch(/只需一次/);
    expect(updatingWords('en-US').body).toMatch(/This happens once/);
    expect(updatingWords('fr').title).toBe('Updating the library');
    expect(html('zh-CN')).toContain('lang="zh-CN"');
    expect(html('zh-CN')).toContain('正在将你的图库升级到此版本');
  });

  it('is a static page: no script runs and nothing is fetched', () => {
    const page = html('en-US');
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(page).not.toMatch(/<script|src=|href=/i);
    expect(page).toContain('Qwen Studio is bringing your library up to this version.');
  });
});
