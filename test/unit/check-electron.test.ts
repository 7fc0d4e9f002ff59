// `npm start` without the Electron binary: one line saying what to do, not electron's own stack.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.ts';

const CHECK = join(import.meta.dirname, '../../bin/check-electron.mjs');
const { dir, cleanup } = tempDir('qs-electron-');
afterAll(() => cleanup());

/** A project folder whose node_modules/electron is as `npm install` leaves it with or without the download. */
function project(name: string, downloaded: boolean): string {
  const root = join(dir, name);
  const electron = join(root, 'node_modules', 'electron');
  mkdirSync(electron, { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"p"}');
  writeFileSync(join(electron, 'package.json'), '{"name":"electron","main":"index.js"}');
  // Requiring electron without its binary would start a download; the check must never do that.
  writeFileSync(join(electron, 'index.js'), 'throw new Error("electron loader ran")');
  if (downloaded) {
    mkdirSync(join(electron, 'dist'));
    writeFileSync(join(electron, 'dist', 'electron'), '');
    writeFileSync(join(electron, 'path.txt'), 'electron');
  }
  return root;
}

function check(cwd: string) {
  const env = { ...process.env };
  delete env.ELECTRON_OVERRIDE_DIST_PATH;
  return spawnSync(process.execPath, [CHECK], { cwd, env, encoding: 'utf8' });
}

describe('the pre-start Electron check', () => {
  it('without the binary: exit 1 and one line that says what to do', () => {
    const r = check(project('skipped', false));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(
      /^The Electron binary is not installed .*npx install-electron --no.*npm run web/,
    );
    expect(r.stderr).not.toMatch(/electron loader ran|\bat /);
  });

  it('with the binary: silent, exit 0', () => {
    const r = check(project('downloaded', true));
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});
