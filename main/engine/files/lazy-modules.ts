// Modules that are slow to load and needed only by some commands, loaded the first time they are used:
// `qwen-studio status` or `search` never decodes an image or opens a connection, so it starts without sharp
// and undici (together about as long as Node's own start), and without node:http, whose ESM import alone
// loads Node's internal copy of undici (to fill in its WebSocket export).
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import type Sharp from 'sharp';
import type * as Undici from 'undici';

const load = createRequire(import.meta.url);
let sharpModule: typeof Sharp | null = null;
let undiciModule: typeof Undici | null = null;

/** `sharp(…)` (every overload), loading sharp the first time an image is read or written. */
export const sharp = ((...args: unknown[]) => {
  sharpModule ??= load('sharp') as typeof Sharp;
  return (sharpModule as (...a: unknown[]) => ReturnType<typeof Sharp>)(...args);
}) as unknown as typeof Sharp;

/** undici, loaded the first time a request is made. */
export function undici(): typeof Undici {
  undiciModule ??= load('undici') as typeof Undici;
  return undiciModule;
}

/** The reason phrase of an HTTP status ("Not Found"), from node:http, required (not imported) on first use. */
export function statusText(status: number): string | undefined {
  return (load('node:http') as typeof Http).STATUS_CODES[status];
}
