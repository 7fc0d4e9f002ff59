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

describe('job state machine', () => {
  const all: [JobState, JobState][] = JOB_STATES.flatMap((a) =>
    JOB_STATES.map((b) => [a, b] as [JobState, JobState]),
  );

  it.each(all.filter(([a, b]) => canTransition(a, b)))('%s → %s is allowed and recorded', (from, to) => {
    const stores = jobIn(from);
    const r = stores.jobs.transition(1, from, to);
    expect(r?.state).toBe(to);
    const last = stores.jobs.events(1).at(-1);
    // A self-move (a fresh status while running) is not a state change and leaves no event.
    if (from !== to) expect(last).toMatchObject({ from, to });
  });

  it.each(all.filter(([a, b]) => !canTransition(a, b)))('%s → %s is refused', (from, to) => {
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
