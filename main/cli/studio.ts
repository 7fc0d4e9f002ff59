// Opening the engine for a command: the data folder, the key and the service address from the options and
// the environment.
import {
  CatalogDamagedError,
  catalogPath,
  catalogUpdateNotice,
  isCorruptionError,
} from '../engine/services/catalog.ts';
import { Studio, defaultDataDir } from '../engine/studio.ts';
import { StudioError } from '../engine/errors.ts';
import { apiKeyFromEnv, type CommonFlags, type Io } from './common.ts';

export function openStudio(io: Io, flags: CommonFlags, extra: { concurrency?: number } = {}): Studio {
  const dataDir = flags.dataDir ?? defaultDataDir(io.env);
  const notice = catalogUpdateNotice(dataDir);
  if (notice) io.err(notice);
  return new Studio({
    dataDir,
    apiKey: apiKeyFromEnv(io.env),
    apiBase: flags.apiBase ?? io.env.QWEN_STUDIO_API_BASE ?? null,
    ...(extra.concurrency ? { overrides: { concurrency: extra.concurrency } } : {}),
  });
}

/** Runs `use` on an open engine and always closes it. */
export async function withStudio<T>(
  io: Io,
  flags: CommonFlags,
  use: (studio: Studio) => T | Promise<T>,
  extra: { concurrency?: number } = {},
): Promise<T> {
  const studio = openStudio(io, flags, extra);
  try {
    return await use(studio);
  } catch (err) {
    // A catalog damaged past the pages read at start-up fails later, in a query: said the same way.
    if (isCorruptionError(err)) throw new CatalogDamagedError(catalogPath(studio.dataDir), { cause: err });
    throw err;
  } finally {
    await studio.close();
  }
}

export function requireKey(io: Io): void {
  if (!apiKeyFromEnv(io.env)) {
    throw new StudioError(
      'NO_API_KEY',
      'No API key: set QWEN_STUDIO_API_KEY (or SKILLS_VIDEO_API_KEY) to the key from your skills.video dashboard, ' +
        'or try without one: `qwen-studio simulator`, then --api-base http://127.0.0.1:8787/api with any key.',
    );
  }
}
