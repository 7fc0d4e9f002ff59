// `resume`, `retry` and `drop` while another program (the app, another command line) runs the folder's
// queue: the change is written to the catalog in one IMMEDIATE transaction, and that program — which watches
// the catalog for other writers (engine/scheduler/other-writers.ts) — acts on it within a second: it resumes,
// sends what was put back in the queue, follows or downloads what needs it. Nothing already sent is touched:
// the same rules as in the program itself decide which jobs may change.
import { LeaseBusyError, type LeaseHolder } from '../engine/services/queue.ts';
import type { Studio } from '../engine/studio.ts';
import { EXIT, type Io } from './common.ts';
import { describeHolder, say } from './follow.ts';

export type StartOrHeld = { started: { previousCrashed: boolean } } | { held: LeaseHolder | null };

/** Takes the folder's queue, or says who runs it. */
export function startOrHeld(studio: Studio): StartOrHeld {
  try {
    return { started: studio.start() };
  } catch (err) {
    if (err instanceof LeaseBusyError) return { held: err.holder };
    throw err;
  }
}

/**
 * Writes `change` in one IMMEDIATE transaction (the runner cannot slip a write in between what it reads and
 * what it writes), then says what the running Qwen Studio does about it. `change` returns that sentence's
 * first part, or null when there was nothing to change.
 */
export function handOver(
  io: Io,
  studio: Studio,
  json: boolean,
  holder: LeaseHolder | null,
  change: () => { done: string; next: string } | null,
): number {
  const said = studio.queue.atomically(change);
  const who = `${describeHolder(holder)} is running this folder's queue`;
  if (!said) {
    say(io, json, 'nothing-to-do', `Nothing to change: ${who}.`, { holder });
    return EXIT.ok;
  }
  say(io, json, 'handed-over', `${said.done}: ${who} and ${said.next}.`, { holder });
  return EXIT.ok;
}
