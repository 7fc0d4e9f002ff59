// The simulator's cards draw Chinese with the font the project ships, not only where the system has one:
// rendered with a fontconfig file that knows no system fonts at all, 红 and 绿 still come out as two
// different glyphs (with no font for them, both would be the same empty box).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fontConfigXml } from '../../main/simulator/cjk-font.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'qs-font-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Renders each character in a fresh process (fontconfig reads its file once per process); returns PNG hashes. */
function render(conf: string, chars: string[]): string[] {
  const file = path.join(dir, `${chars.length}-${Math.random()}.conf`);
  writeFileSync(file, conf);
  const script = `
    import sharp from 'sharp';
    import { createHash } from 'node:crypto';
    const out = [];
    for (const c of ${JSON.stringify(chars)}) {
      const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#fff"/>'
        + '<text x="8" y="48" font-family="Noto Sans SC" font-size="44" font-weight="bold">' + c + '</text></svg>';
      const png = await sharp(Buffer.from(svg)).png().toBuffer();
      out.push(createHash('sha256').update(png).digest('hex'));
    }
    console.log(JSON.stringify(out));`;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, FONTCONFIG_FILE: file },
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as string[];
}

describe('the simulator’s CJK font', () => {
  it('draws Chinese from the bundled package alone', () => {
    const [red, green] = render(fontConfigXml({ cacheDir: path.join(dir, 'cache'), system: false }), [
      '红',
      '绿',
    ]);
    expect(red).not.toBe(green);
  });

  it('is needed: with no fonts at all the two characters are the same box', () => {
    const none = `<?xml version="1.0"?><fontconfig><cachedir>${path.join(dir, 'none')}</cachedir></fontconfig>`;
    const [red, green] = render(none, ['红', '绿']);
    expect(red).toBe(green);
  });
});
