#!/usr/bin/env node
// Runs before `npm start` and `npm run dev`: when the Electron binary was never downloaded
// (ELECTRON_SKIP_BINARY_DOWNLOAD, no access to GitHub), says so in one line and what to do, instead of the
// stack electron's own loader prints. Reads electron's path.txt as its loader does, without its download.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

function electronBinary() {
  let dir;
  try {
    dir = dirname(createRequire(join(process.cwd(), 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

if (!electronBinary()) {
  process.stderr.write(
    'The Electron binary is not installed (npm install ran with ELECTRON_SKIP_BINARY_DOWNLOAD or could not reach ' +
      'GitHub): run `npx install-electron --no` with internet access, then try again — or use the UI in a ' +
      'browser (`npm run web`) or the command line (`npx qwen-studio`), which need no Electron.\n',
  );
  process.exit(1);
}
