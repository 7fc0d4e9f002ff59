import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../main/engine/store/jobs.ts';
import { JOB_STATES, TRANSITIONS, canTransition, type JobState } from '../../shared/domain.ts';
import { memoryStores, seedBatch } from '../helpers/db.ts';

/** Drives a fresh job into `state` along legal moves only. */
const PATH_TO: Record<JobState, JobState[]> = {
  queued: [],
  paused: ['paused'],
  submitting: ['submitting'],
  running: ['submitting', 'running'],
  downloading: ['submitting', 'running', 'downloading'],
  done: ['submitting', 'running', 'downloading', 'done'],
  failed: ['failed'],
  canceled: ['canceled'],
  uncertain: ['submitting', 'uncertain'],
};

function jobIn(state: JobState) {
  const stores = memoryStores();
  seedBatch(stores, 1);
  let from: JobState = 'queued';
  let remote = 0;
  for (const to of PATH_TO[state]) {
    const patch = to === 'running' && from === 'submitting' ? { remoteId: `gen_${++remote}` } : {};
    expect(stores.jobs.transition(1, from, to, patch)).not.toBeNull();
    from = to;
  }
  return stores;
}

/**
 * The expected moves, written out by hand (not derived from TRANSITIONS): row = from, column = to,
 * `x` = allowed, `.` = refused. Why each `x` exists:
 * - queued → submitting (the loop sends it), paused/canceled (the person), failed (nothing to send).
 * - paused → queued (resume), canceled.
 * - submitting → running (id learnt), queued (refused for now: 429, offline, no key), failed (refused for
 *   good), uncertain (maybe accepted, not found in the running list).
 * - running → running (a fresh status), downloading (completed), failed, canceled (canceled remotely).
 * - downloading → downloading (fresh links), done, failed.
 * - failed → queued (retry), downloading (retry a lost download), running (retry a timed-out follow), canceled.
 * - canceled → queued (retry). uncertain → queued (retry, may pay twice), running (found later), canceled (drop).
 */
const MATRIX = `
             queued paused submitting running downloading done failed canceled uncertain
queued         .      x        x         .         .       .     x       x        .
paused         x      .        .         .         .       .     .       x        .
submitting     x      .        .         x         .       .     x       .        x
running        .      .        .         x         x       .     x       x        .
downloading    .      .        .         .         x       x     x       .        .
done           .      .        .         .         .       .     .       .        .
failed         x      .        .         x         x       .     .       x        .
canceled       x      .        .         .         .       .     .       .        .
uncertain      x      .        .         x         .       .     .       x        .
`;

function parseMatrix(text: string): [JobState, JobState, boolean][] {
  const [head, ...rows] = text.trim().split('\n');
  const cols = head!.trim().split(/\s+/) as JobState[];
  return rows.flatMap((row) => {
    const [from, ...cells] = row.trim().split(/\s+/);
    return cells.map((c, i) => [from as JobState, cols[i]!, c === 'x'] as [JobState, JobState, boolean]);
  });
}

const EXPECTED = parseMatrix(MATRIX);

describe('job state machine', () => {
  it('the matrix covers every pair of states once', () => {
    expect(EXPECTED).toHaveLength(JOB_STATES.length ** 2);
    expect(new Set(EXPECTED.map(([a, b]) => `${a}>${b}`)).size).toBe(JOB_STATES.length ** 2);
    expect(new Set(EXPECTED.map(([a]) => a))).toEqual(new Set(JOB_STATES));
  });

  it.each(EXPECTED.filter(([, , ok]) => ok))('%s → %s is allowed and recorded', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    const stores = jobIn(from);
    const r = stores.jobs.transition(1, from, to);
    expect(r?.state).toBe(to);
    const last = stores.jobs.events(1).at(-1);
    // A self-move (a fresh status while running) is not a state change and leaves no event.
    if (from !== to) expect(last).toMatchObject({ from, to });
  });

  it.each(EXPECTED.filter(([, , ok]) => !ok))('%s → %s is refused', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const stores = jobIn(from);
    expect(() => stores.jobs.transition(1, from, to)).toThrow(IllegalTransitionError);
    expect(stores.jobs.get(1)?.state).toBe(from);
  });

  it('done is final', () => {
    expect(TRANSITIONS.done).toEqual([]);
  });

  it('a transition from a state the job has already left does nothing', () => {
    const stores = jobIn('submitting');
    // Someone else already moved it on; the stale actor loses without damage.
    expect(stores.jobs.transition(1, 'queued', 'canceled')).toBeNull();
    expect(stores.jobs.get(1)?.state).toBe('submitting');
  });

  it('the remote id is written in the same step as the state', () => {
    const stores = jobIn('submitting');
    const r = stores.jobs.transition(1, 'submitting', 'running', {
      remoteId: 'gen_abc',
      remoteStatus: 'IN_QUEUE',
      acceptedAt: 5,
    });
    expect(r).toMatchObject({
      state: 'running',
      remoteId: 'gen_abc',
      remoteStatus: 'IN_QUEUE',
      acceptedAt: 5,
    });
    expect(stores.jobs.knownRemoteIds().has('gen_abc')).toBe(true);
  });

  it('JSON columns round-trip and are validated on the way back', () => {
    const stores = jobIn('running');
    const gen = {
      id: 'gen_1',
      status: 'COMPLETED',
      data: { images: [{ url: 'http://x/a.png' }] },
      usage: { total: 20, subscription: 20, permanent: 0 },
    };
    const r = stores.jobs.transition(1, 'running', 'downloading', {
      result: gen,
      usage: gen.usage,
      credits: 20,
    });
    expect(r?.result?.data?.images?.[0]?.url).toBe('http://x/a.png');
    expect(r?.usage?.total).toBe(20);
    stores.db.prepare('UPDATE jobs SET input_json = \'{"prompt":"x","seed":-4}\' WHERE id = 1').run();
    expect(() => stores.jobs.get(1)).toThrow(/seed/);
  });
});

describe('job queries', () => {
  it('dueQueued honours backoff and paused batches', () => {
    const stores = memoryStores();
    const b = seedBatch(stores, 3);
    stores.jobs.patch(2, 'queued', { nextAttemptAt: Date.now() + 60_000 });
    expect(stores.jobs.dueQueued(Date.now(), 10).map((j) => j.id)).toEqual([1, 3]);
    stores.batches.setStatus(b, 'paused', 'user');
    expect(stores.jobs.dueQueued(Date.now(), 10)).toEqual([]);
  });

  it('batchSpend counts charged credits and what is in flight', () => {
    const stores = memoryStores();
    const b = seedBatch(stores, 3, { numImages: 2 });
    stores.jobs.transition(1, 'queued', 'submitting');
    stores.jobs.transition(1, 'submitting', 'running', { remoteId: 'g1' });
    stores.jobs.transition(1, 'running', 'downloading', { credits: 30 });
    stores.jobs.transition(2, 'queued', 'submitting');
    expect(stores.jobs.batchSpend(b, 20)).toEqual({ spent: 30, committed: 30 + 2 * 20 });
  });

  it('learns credits per image from finished jobs only', () => {
    const stores = memoryStores();
    seedBatch(stores, 2, { numImages: 2 });
    expect(stores.jobs.learnedCreditsPerImage('qwen/qwen-image-2')).toBeNull();
    for (const [id, credits] of [
      [1, 50],
      [2, 30],
    ] as const) {
      stores.jobs.transition(id, 'queued', 'submitting');
      stores.jobs.transition(id, 'submitting', 'running', { remoteId: `g${id}` });
      stores.jobs.transition(id, 'running', 'downloading', { credits });
      stores.jobs.transition(id, 'downloading', 'done');
    }
    expect(stores.jobs.learnedCreditsPerImage('qwen/qwen-image-2')).toBe(20);
  });
});
