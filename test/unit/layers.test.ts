// The layers of DESIGN.md are enforced by `npm run lint` (eslint.config.js). Each probe below is a file that
// does not exist, linted as if it did, through the project's own config: an import that breaks a layer must
// be an error, and the same kind of import where it is allowed must not be.
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: process.cwd() });
});

/** The lint errors for `code` placed at `filePath`, as "rule: message" lines. */
async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

/** Errors from the layer rules, not counting "this probe file belongs to no layer". */
const layerErrors = (found: string[]) =>
  found.filter(
    (p) =>
      (p.startsWith('boundaries/') && !p.startsWith('boundaries/no-unknown-files')) ||
      p.startsWith('no-restricted-imports'),
  );

describe('layers a machine checks', () => {
  it('a file outside every layer is itself an error', async () => {
    expect(await problems('main/probe.ts', 'export const x = 1;')).toEqual([
      expect.stringContaining('boundaries/no-unknown-files'),
    ]);
  });

  it.each([
    ['shared/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;"],
    ['shared/probe.ts', "import { createInterface } from 'readline';\nexport const x = createInterface;"],
    // A built-in missing from the old hand-written list: Node's own list catches it.
    ['shared/probe.ts', "import { Session } from 'inspector';\nexport const x = Session;"],
    ['shared/probe.ts', "import { app } from 'electron';\nexport const x = app;"],
    ['shared/probe.ts', "import { createRoot } from 'react-dom/client';\nexport const x = createRoot;"],
    ['shared/probe.ts', "import { Studio } from '../main/engine/studio.ts';\nexport const x = Studio;"],
    ['main/engine/store/probe.ts', "import { app } from 'electron';\nexport const x = app;"],
    [
      'main/engine/probe-root.ts',
      "import { BrowserWindow } from 'electron';\nexport const x = BrowserWindow;",
    ],
    // store/ sits below library/: importing upwards would make a cycle between engine folders.
    [
      'main/engine/store/probe.ts',
      "import { Library } from '../library/library.ts';\nexport const x = Library;",
    ],
    [
      'main/engine/api/probe.ts',
      "import { Scheduler } from '../scheduler/scheduler.ts';\nexport const x = Scheduler;",
    ],
    ['renderer/src/probe.ts', "import Database from 'better-sqlite3';\nexport const x = Database;"],
    ['renderer/src/probe.ts', "import sharp from 'sharp';\nexport const x = sharp;"],
    ['renderer/src/probe.ts', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;"],
    [
      'renderer/src/probe.ts',
      "import { Studio } from '../../main/engine/studio.ts';\nexport const x = Studio;",
    ],
    [
      'main/bridge/probe.ts',
      "import { Library } from '../engine/library/library.ts';\nexport const x = Library;",
    ],
    ['main/bridge/probe.ts', "import { app } from 'electron';\nexport const x = app;"],
    ['main/bridge/probe.ts', "import { wireIpc } from '../app/ipc.ts';\nexport const x = wireIpc;"],
    [
      'main/cli/probe.ts',
      "import { SkillsClient } from '../engine/api/client.ts';\nexport const x = SkillsClient;",
    ],
    ['main/simulator/probe.ts', "import { Studio } from '../engine/studio.ts';\nexport const x = Studio;"],
    // The front doors go through the services: never into the stores, the scheduler or the internals.
    ['main/cli/probe.ts', "import { JobStore } from '../engine/store/jobs.ts';\nexport const x = JobStore;"],
    [
      'main/app/probe.ts',
      "import { Scheduler } from '../engine/scheduler/scheduler.ts';\nexport const x = Scheduler;",
    ],
    [
      'main/cli/probe.ts',
      "import { internalsOf } from '../engine/internals.ts';\nexport const x = internalsOf;",
    ],
    [
      'main/bridge/probe.ts',
      "import { internalsOf } from '../engine/internals.ts';\nexport const x = internalsOf;",
    ],
  ])('%s: %s is refused', async (filePath, code) => {
    expect(layerErrors(await problems(filePath, code))).not.toEqual([]);
  });

  it.each([
    ['shared/probe.ts', "import { z } from 'zod';\nexport const x = z;"],
    [
      'main/engine/library/probe.ts',
      "import { AssetStore } from '../store/assets.ts';\nexport const x = AssetStore;",
    ],
    [
      'main/engine/store/probe.ts',
      "import { parseQuery } from '../search/query.ts';\nexport const x = parseQuery;",
    ],
    ['main/engine/store/probe.ts', "import Database from 'better-sqlite3';\nexport const x = Database;"],
    [
      'renderer/src/probe.ts',
      "import { tokenizeQuery } from '../../shared/query-tokens.ts';\nexport const x = tokenizeQuery;",
    ],
    ['main/bridge/probe.ts', "import { Studio } from '../engine/studio.ts';\nexport const x = Studio;"],
    ['main/app/probe.ts', "import { app } from 'electron';\nexport const x = app;"],
    [
      'main/cli/probe.ts',
      "import { BatchService } from '../engine/services/batches.ts';\nexport const x = BatchService;",
    ],
    [
      'test/probe.ts',
      "import { internalsOf } from '../main/engine/internals.ts';\nexport const x = internalsOf;",
    ],
  ])('%s: %s is allowed', async (filePath, code) => {
    expect(layerErrors(await problems(filePath, code))).toEqual([]);
  });
});
