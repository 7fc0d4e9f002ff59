// Builds the renderer once before the end-to-end tests when out/renderer is missing or older than its
// sources (renderer/ and shared/). Runs for unit-only invocations too, unless the filters name no e2e file.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'out/renderer/index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** `vitest run test/unit/x.test.ts` needs no UI build; `vitest run` and `vitest run test/e2e` do. */
function e2eRequested(argv: string[]): boolean {
  const filters = argv
    .slice(2)
    .filter((a) => !a.startsWith('-') && (a.includes('test') || a.includes('/') || a.endsWith('.ts')));
  return filters.length === 0 || filters.some((f) => f.includes('e2e'));
}

export default function setup(): void {
  if (!e2eRequested(process.argv)) return;
  const sources = Math.max(newestMtime(path.join(ROOT, 'renderer')), newestMtime(path.join(ROOT, 'shared')));
  if (existsSync(OUT) && statSync(OUT).mtimeMs >= sources) return;
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  const res = spawnSync(process.execPath, [vite, 'build', 'renderer', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (res.status !== 0)
    throw new Error(
      `The renderer build failed (exit ${res.status}); run \`npx vite build renderer\` to see why.`,
    );
}
