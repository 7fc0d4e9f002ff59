// `run` while another process (the app, another command line) runs the folder's queue: the batch is queued
// for that runner, which notices it within a second. This command follows the batch's progress read-only,
// from the catalog, until it ends — and takes the folder over if the runner leaves first, so the batch is
// never stranded.
import type { LeaseHolder } from '../engine/services/queue.ts';
import { LeaseBusyError } from '../engine/services/queue.ts';
import type { Studio } from '../engine/studio.ts';
import type { Io } from './common.ts';
import type { Progress } from './progress.ts';

/** How often the catalog is looked at (a pragma when nothing changed) and the folder's lock tried. */
const POLL_MS = 400;
const QUEUE_STOPPERS = new Set(['auth', 'credits', 'forbidden', 'disk']);

export type FollowOutcome = { tookOver: { previousCrashed: boolean } } | { ended: true };

export function describeHolder(holder: LeaseHolder | null): string {
  return holder ? `another Qwen Studio (process ${holder.pid} on ${holder.host})` : 'another Qwen Studio';
}

/** One line for a person (stderr) or one JSON event (stdout). */
export function say(io: Io, json: boolean, type: string, message: string, extra: object = {}): void {
  if (json) io.out(JSON.stringify({ type, message, ...extra }));
  else io.err(message);
}

const IN_FLIGHT = new Set(['submitting', 'running', 'downloading']);

function countStates(states: string[]): { active: number; inFlight: number } {
  const inFlight = states.filter((s) => IN_FLIGHT.has(s)).length;
  return { inFlight, active: inFlight + states.filter((s) => s === 'queued').length };
}

export async function followBatch(
  io: Io,
  studio: Studio,
  progress: Progress,
  batchId: number,
  json: boolean,
): Promise<FollowOutcome> {
  // Every job that has moved on from `queued` is reported once per state (some may have finished already).
  const seen = new Map<number, string>();
  let version = -1;
  let pauseNote = '';
  /** Reports what changed since the last look; true once the batch has ended (or cannot go on). */
  const look = (): boolean => {
    const v = studio.queue.changeVersion();
    if (v === version) return false;
    version = v;
    const rows = studio.jobs.states(batchId);
    for (const r of rows) {
      const before = seen.get(r.id);
      seen.set(r.id, r.state);
      if (before === r.state || (before === undefined && r.state === 'queued')) continue;
      const job = studio.jobs.find(r.id);
      // Read after the snapshot, the job may have moved on already: reported as it is now, and only once.
      if (!job || job.state === before) continue;
      seen.set(r.id, job.state);
      progress.job(job);
    }
    const q = studio.queue.stored();
    const note = q.paused
      ? `The queue is paused in the other Qwen Studio (${q.reason}): ${q.message ?? ''}`
      : '';
    if (note && note !== pauseNote) progress.note(note);
    pauseNote = note;
    // Counted from the rows just reported (one snapshot), so the last change is shown before the end.
    const c = countStates(rows.map((r) => r.state));
    if (c.active === 0) return true;
    return q.paused && q.reason !== null && QUEUE_STOPPERS.has(q.reason) && c.inFlight === 0;
  };
  for (;;) {
    if (look()) return { ended: true };
    try {
      const started = studio.start({ waitMs: 0 });
      look();
      say(io, json, 'took-over', 'The other Qwen Studio has stopped: running the queue here from now on.');
      return { tookOver: started };
    } catch (err) {
      if (!(err instanceof LeaseBusyError)) throw err;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
