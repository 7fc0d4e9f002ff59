// The simulator's cards draw prompts in any language, so they need a font with Chinese and Japanese
// glyphs on every machine, not only where the system happens to have one. The font ships as an npm package
// (Noto Sans SC, OFL); sharp's librsvg finds fonts through fontconfig, so a small fontconfig file that adds
// the package's folders (and still includes the system's fonts) is written once and named in
// FONTCONFIG_FILE before the first card is drawn. (sharp's FreeType reads TrueType/OpenType, not WOFF, which
// is why the package is one that ships .ttf files.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CJK_FONT_FAMILY = 'Noto Sans SC';
/** The weights the cards use: bold for the prompt, regular for the small print. */
const WEIGHTS = ['400Regular', '700Bold'];

/** The package's folders holding the weights the cards use; in a packaged app, their unpacked copies. */
export function cjkFontDirs(): string[] {
  const pkg = createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/package.json');
  const root = path
    .dirname(pkg)
    .replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
  return WEIGHTS.map((w) => path.join(root, w));
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A fontconfig file with the package's fonts, and (unless `system` is false) the system's own. */
export function fontConfigXml(opts: { cacheDir: string; system?: boolean }): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    ...(opts.system === false ? [] : ['  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>']),
    ...cjkFontDirs().map((d) => `  <dir>${xml(d)}</dir>`),
    `  <cachedir>${xml(opts.cacheDir)}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
}

let done = false;
/** Points fontconfig at the bundled font (once, and never over a FONTCONFIG_FILE the person set). */
export function useBundledCjkFont(): void {
  if (done) return;
  done = true;
  if (process.env.FONTCONFIG_FILE) return;
  try {
    const dir = path.join(tmpdir(), 'qwen-studio-fonts');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'fonts.conf');
    writeFileSync(file, fontConfigXml({ cacheDir: path.join(dir, 'cache') }));
    process.env.FONTCONFIG_FILE = file;
  } catch {
    // Without the file the system's fonts are used, as before: Chinese may show as boxes, nothing fails.
  }
}
