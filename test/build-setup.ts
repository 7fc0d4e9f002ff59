// Builds the app, the command line and the bridge (`electron-vite build`, a few seconds) before tests that
// run the built `qwen-studio` (child processes, the pack-and-install test) when out/main/cli.js is missing or
// older than its sources. Unit-only invocations skip it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUILT = path.join(ROOT, 'out/main/cli.js');

function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** `vitest run test/unit/x.test.ts` needs no build; `vitest run`, integration and e2e runs do. */
function buildRequested(argv: string[]): boolean {
  const filters = argv
    .slice(2)
    .filter((a) => !a.startsWith('-') && (a.includes('test') || a.includes('/') || a.endsWith('.ts')));
  return filters.length === 0 || filters.some((f) => !f.includes('unit'));
}

export default function setup(): void {
  if (!buildRequested(process.argv)) return;
  const sources = Math.max(
    ...['main', 'shared', 'renderer', 'package.json', 'electron.vite.config.ts'].map((p) =>
      newestMtime(path.join(ROOT, p)),
    ),
  );
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= sources) return;
  const cli = path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js');
  const res = spawnSync(process.execPath, [cli, 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (res.status !== 0)
    throw new Error(`The build failed (exit ${res.status}); run \`npm run build\` to see why.`);
}
