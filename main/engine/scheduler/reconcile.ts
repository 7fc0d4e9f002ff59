// After a create whose answer was lost (or a crash between sending it and storing the answer), the only way
// to learn whether the service accepted it is the running list: match on the input we sent. A match is
// used at most once, and never one whose id another job already follows.
import type { GenerationInput, RunningItem } from '../../../shared/api.ts';

const COMPARED: readonly (keyof GenerationInput)[] = [
  'negative_prompt',
  'image_size',
  'aspect_ratio',
  'enable_prompt_expansion',
  'seed',
  'num_images',
  'output_format',
];

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Multipart bodies come back with text values: "2" for 2, "false" for false.
  return String(a) === String(b);
}

export function inputMatches(
  sent: GenerationInput,
  remote: Record<string, unknown> | null | undefined,
): boolean {
  if (!remote) return false;
  if (typeof remote.prompt !== 'string' || remote.prompt.trim() !== sent.prompt.trim()) return false;
  for (const key of COMPARED) {
    const mine = sent[key];
    if (mine === undefined || mine === null) continue;
    // A field the service left out of its normalized echo is no evidence either way.
    if (!(key in remote) || remote[key] === undefined || remote[key] === null) continue;
    if (!same(mine, remote[key])) return false;
  }
  return true;
}

export interface PendingCreate {
  jobId: number;
  input: GenerationInput;
}

/** Pairs pending creates with running items one to one, in the order given; unmatched jobs map to null. */
export function matchRunning(
  pending: readonly PendingCreate[],
  running: readonly RunningItem[],
  taken: ReadonlySet<string>,
): Map<number, RunningItem | null> {
  const used = new Set(taken);
  const out = new Map<number, RunningItem | null>();
  for (const p of pending) {
    const hit = running.find((item) => !used.has(item.id) && inputMatches(p.input, item.input));
    if (hit) used.add(hit.id);
    out.set(p.jobId, hit ?? null);
  }
  return out;
}
