// Creates and what their answers mean, with a fake client and fake timers: a create that may have been
// accepted is looked for in the running list and never sent again; only a proven refusal is retried.
import { describe, expect, it, vi } from 'vitest';
import { classifyHttp } from '../../main/engine/api/errors.ts';
import { UNCERTAIN_MESSAGE } from '../../main/engine/scheduler/submit.ts';
import { API_STATUS_TABLE } from '../fixtures/status-table.ts';
import {
  apiError,
  completed,
  schedulerHarness,
  fakeTimersFor,
  stateOf,
  type Harness,
} from '../helpers/scheduler.ts';

let h: Harness;
fakeTimersFor(() => h);

const listed = (id: string, prompt: string) => ({ id, status: 'IN_PROGRESS', input: { prompt } });

describe('an ambiguous create (maybeSent) is reconciled, never re-sent', () => {
  it.each([
    ['a proxy 502 page', { status: 502, code: 'HTTP_502' }],
    ['a 504 TIMEOUT', { status: 504, code: 'IMAGE_GENERATION_TIMEOUT' }],
    [
      'a 500 FAILED classified as the job’s fault',
      { status: 500, code: 'IMAGE_GENERATION_FAILED', kind: 'job' as const },
    ],
    ['a reset after sending', { status: null, code: 'NETWORK' }],
  ])('%s, listed on the third look → followed to done with one create', async (_what, init) => {
    h = await schedulerHarness({ limits: { reconcileLooks: 4, reconcileSpacingMs: 1_000 } });
    h.client.create.mockRejectedValueOnce(apiError({ ...init, maybeSent: true }));
    let looks = 0;
    h.client.running.mockImplementation(async () => (++looks >= 3 ? [listed('gen_late', 'prompt 1')] : []));
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'done');
    expect(h.client.create).toHaveBeenCalledTimes(1);
    expect(looks).toBe(3);
    expect(h.job()).toMatchObject({ remoteId: 'gen_late', credits: 20 });
    expect(h.stores.jobs.events(1).map((e) => e.detail)).toContain(
      'matched in running list after a lost answer',
    );
  });

  it('not listed after every look → uncertain, create sent once, running list read reconcileLooks times', async () => {
    h = await schedulerHarness({ limits: { reconcileLooks: 3, reconcileSpacingMs: 2_000 } });
    h.client.create.mockRejectedValue(apiError({ status: 502, maybeSent: true }));
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'uncertain');
    expect(h.client.running).toHaveBeenCalledTimes(3);
    expect(h.job()).toMatchObject({ errorCode: 'UNCERTAIN', errorMessage: UNCERTAIN_MESSAGE });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(h.client.create).toHaveBeenCalledTimes(1);
  });

  it('a listed generation whose id another job already follows is not taken', async () => {
    h = await schedulerHarness({ jobs: 2, limits: { reconcileLooks: 2, reconcileSpacingMs: 500 } });
    h.stores.jobs.transition(2, 'queued', 'submitting');
    h.stores.jobs.transition(2, 'submitting', 'running', { remoteId: 'gen_owned' });
    h.client.create.mockRejectedValue(apiError({ status: 504, maybeSent: true }));
    // The only listed generation with job 1's input is one job 2 already owns.
    h.client.running.mockResolvedValue([listed('gen_owned', 'prompt 1')]);
    h.scheduler.start();
    await h.until(() => stateOf(h, 1) === 'uncertain');
    expect(h.client.create).toHaveBeenCalledTimes(1);
  });

  it('a running list that cannot be read is not a look: it waits, then decides on real answers', async () => {
    h = await schedulerHarness({ limits: { reconcileLooks: 2, reconcileSpacingMs: 1_000 } });
    h.client.create.mockRejectedValueOnce(apiError({ status: 502, maybeSent: true }));
    h.client.running
      .mockRejectedValueOnce(apiError({ status: 503, code: 'PROVIDER_UNAVAILABLE' }))
      .mockRejectedValueOnce(apiError({ status: 503, code: 'PROVIDER_UNAVAILABLE' }))
      .mockResolvedValueOnce([])
      .mockResolvedValueOnce([listed('gen_x', 'prompt 1')]);
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'done');
    expect(h.client.running).toHaveBeenCalledTimes(4);
    expect(h.client.create).toHaveBeenCalledTimes(1);
  });

  it('an event stream that closes before its first frame is reconciled like any ambiguous create', async () => {
    h = await schedulerHarness({ stream: true, limits: { reconcileLooks: 2, reconcileSpacingMs: 500 } });
    h.client.createStream.mockRejectedValue(
      apiError({ status: null, code: 'STREAM_DROPPED', maybeSent: true }),
    );
    h.client.running.mockResolvedValue([listed('gen_s', 'prompt 1')]);
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'done');
    expect(h.client.createStream).toHaveBeenCalledTimes(1);
    expect(h.job().remoteId).toBe('gen_s');
  });

  it('a stream that drops after its first frame keeps the id and is followed by polling', async () => {
    h = await schedulerHarness({ stream: true });
    h.client.createStream.mockImplementation(async (_m, _i, onFrame) => {
      onFrame({ id: 'gen_frame', status: 'IN_PROGRESS' });
      throw apiError({ status: null, code: 'STREAM_DROPPED', maybeSent: true });
    });
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'done');
    expect(h.client.running).not.toHaveBeenCalled();
    expect(h.client.get).toHaveBeenCalledWith('gen_frame', expect.anything());
  });
});

describe('401/402/403 on a create: only the service’s own JSON body is a refusal', () => {
  const keyRows = API_STATUS_TABLE.filter(([status]) => status >= 401 && status <= 403);
  const reasons: Record<number, string> = { 401: 'auth', 402: 'credits', 403: 'forbidden' };

  it.each(keyRows)(
    '%i as a proxy’s HTML page: the running list is checked, the listed job followed, the queue paused',
    async (status) => {
      h = await schedulerHarness({
        jobs: 2,
        concurrency: 1,
        limits: { reconcileLooks: 3, reconcileSpacingMs: 1_000 },
      });
      const page = `<html><body><h1>${status}</h1>proxy</body></html>`;
      h.client.create.mockRejectedValueOnce(classifyHttp(status, page, {}, 'create'));
      h.client.running.mockResolvedValue([listed('gen_hidden', 'prompt 1')]);
      h.scheduler.start();
      await h.until(() => stateOf(h, 1) === 'done');
      expect(h.job(1).remoteId).toBe('gen_hidden');
      expect(h.client.running).toHaveBeenCalled();
      expect(h.client.create).toHaveBeenCalledTimes(1); // job 2 waits for the person: the queue is paused
      expect(h.scheduler.status()).toMatchObject({ paused: true, pauseReason: reasons[status] });
      expect(stateOf(h, 2)).toBe('queued');
    },
  );

  it.each(keyRows)(
    '%i as a proxy’s page, not in the running list: uncertain (never re-sent), the queue paused',
    async (status) => {
      h = await schedulerHarness({ limits: { reconcileLooks: 2, reconcileSpacingMs: 1_000 } });
      h.client.create.mockRejectedValue(classifyHttp(status, 'Forbidden by policy', {}, 'create'));
      h.scheduler.start();
      await h.until(() => stateOf(h) === 'uncertain');
      expect(h.client.running).toHaveBeenCalledTimes(2);
      expect(h.client.create).toHaveBeenCalledTimes(1);
      expect(h.scheduler.status()).toMatchObject({ paused: true, pauseReason: reasons[status] });
    },
  );

  it.each(keyRows)(
    '%i %s as the service’s JSON refusal: the queue pauses, the job goes back, nothing is looked up',
    async (status, code) => {
      h = await schedulerHarness();
      const body = { ...(code ? { code } : {}), message: `refused ${status}` };
      h.client.create.mockRejectedValue(classifyHttp(status, body, {}, 'create'));
      h.scheduler.start();
      await h.until(() => h.scheduler.status().paused);
      expect(h.scheduler.status()).toMatchObject({
        pauseReason: reasons[status],
        pauseMessage: `refused ${status}`,
      });
      expect(h.job()).toMatchObject({ state: 'queued', attempts: 0 });
      expect(h.client.running).not.toHaveBeenCalled();
    },
  );
});

describe('a proven refusal', () => {
  it('503 PROVIDER_UNAVAILABLE (the service’s own body) is sent again after a backoff', async () => {
    h = await schedulerHarness();
    h.client.create.mockRejectedValueOnce(apiError({ status: 503, code: 'PROVIDER_UNAVAILABLE' }));
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'done');
    expect(h.client.create).toHaveBeenCalledTimes(2);
    expect(h.client.running).not.toHaveBeenCalled();
  });

  it('gives up after maxSubmitAttempts with a failed, retryable job', async () => {
    h = await schedulerHarness({ limits: { maxSubmitAttempts: 3 } });
    h.client.create.mockRejectedValue(
      apiError({ status: 503, code: 'PROVIDER_UNAVAILABLE', message: 'down' }),
    );
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'failed');
    expect(h.client.create).toHaveBeenCalledTimes(3);
    expect(h.job()).toMatchObject({
      errorClass: 'retryable',
      errorMessage: 'Gave up after 3 attempts: down',
    });
  });

  it('422 fails the job with the service’s message', async () => {
    h = await schedulerHarness();
    h.client.create.mockRejectedValue(
      apiError({ kind: 'job', status: 422, code: 'CONTENT_REJECTED', message: 'refused by moderation' }),
    );
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'failed');
    expect(h.job()).toMatchObject({ errorCode: 'CONTENT_REJECTED', errorMessage: 'refused by moderation' });
  });

  it('402 pauses the whole queue for credits and puts the job back', async () => {
    h = await schedulerHarness();
    h.client.create.mockRejectedValue(
      apiError({ kind: 'queue', status: 402, code: 'INSUFFICIENT_CREDITS', message: 'out of credits' }),
    );
    h.scheduler.start();
    await h.until(() => h.scheduler.status().paused);
    expect(h.scheduler.status()).toMatchObject({ pauseReason: 'credits', pauseMessage: 'out of credits' });
    expect(h.job()).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('429 halves the limit and holds every create until Retry-After has passed', async () => {
    h = await schedulerHarness({ concurrency: 8 });
    h.client.create.mockRejectedValueOnce(
      apiError({ status: 429, code: 'RATE_LIMITED', retryAfterMs: 5_000 }),
    );
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    const held = h.scheduler.status();
    expect(held.limit).toBe(4);
    expect(held.holdUntil).not.toBeNull();
    expect(h.job()).toMatchObject({ state: 'queued', attempts: 0 });
    await vi.advanceTimersByTimeAsync(4_000);
    expect(h.client.create).toHaveBeenCalledTimes(1);
    await h.until(() => stateOf(h) === 'done');
    expect(h.client.create).toHaveBeenCalledTimes(2);
  });

  it('an unreachable service: offline, probed with backoff, then the job is sent', async () => {
    h = await schedulerHarness();
    h.client.create.mockRejectedValueOnce(apiError({ status: null, code: 'NETWORK', offline: true }));
    h.client.running.mockRejectedValueOnce(apiError({ status: null, code: 'NETWORK', offline: true }));
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.scheduler.status().offline).toBe(true);
    await h.until(() => stateOf(h) === 'done');
    expect(h.client.running).toHaveBeenCalledTimes(2); // one failed probe, one that found the service
    expect(h.scheduler.status().offline).toBe(false);
  });

  it('a missing reference image fails the job before anything is sent', async () => {
    h = await schedulerHarness();
    h.stores.db.prepare(`UPDATE jobs SET ref_hashes = '["${'ab'.repeat(32)}"]' WHERE id = 1`).run();
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'failed');
    expect(h.job().errorCode).toBe('REFERENCE_MISSING');
    expect(h.job().errorMessage).toMatch(/Reference image abababababab… is missing/);
    expect(h.client.create).not.toHaveBeenCalled();
  });
});

describe('credits', () => {
  it.each([
    ['come from the terminal state only: a usage in the create answer is never counted', 15, 15],
    ['a terminal answer without usage records none (not the create answer’s)', null, null],
  ])('%s', async (_what, terminal, expected) => {
    h = await schedulerHarness();
    h.client.create.mockResolvedValue({
      id: 'gen_u',
      status: 'IN_QUEUE',
      usage: { total: 20, subscription: 20, permanent: 0 },
    });
    h.client.get.mockResolvedValue(completed('gen_u', { usage: terminal }));
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'done');
    expect(h.job().credits).toBe(expected);
  });
});

describe('after a crash', () => {
  /** A lease held by a process that is gone: the next start is a crash recovery. */
  const crashedBefore = (hh: Harness) =>
    hh.stores.db
      .prepare(
        'INSERT INTO runner_lease (id, owner, pid, host, acquired_at, heartbeat_at, released) VALUES (1, ?, ?, ?, ?, ?, 0)',
      )
      .run('dead', 2 ** 22 + 7, 'elsewhere', 0, 0);

  it('creates marked sent are looked for; found ones are followed, the rest become uncertain', async () => {
    h = await schedulerHarness({ jobs: 2, limits: { reconcileLooks: 2, reconcileSpacingMs: 1_000 } });
    for (const id of [1, 2]) h.stores.jobs.transition(id, 'queued', 'submitting', { attempts: 1, sentAt: 5 });
    crashedBefore(h);
    h.client.running.mockResolvedValueOnce([]).mockResolvedValue([listed('gen_2', 'prompt 2')]);
    expect(h.scheduler.start().previousCrashed).toBe(true);
    await h.until(() => stateOf(h, 1) === 'uncertain' && stateOf(h, 2) === 'done');
    expect(h.client.create).not.toHaveBeenCalled();
    expect(h.scheduler.status().pauseReason).toBe('crash');
  });

  it('a job left submitting but never marked sent goes back to the queue, and is sent once on Resume', async () => {
    h = await schedulerHarness({ jobs: 2, limits: { reconcileLooks: 2, reconcileSpacingMs: 1_000 } });
    // Job 1 was claimed, and the process died before its create was written; job 2's create was written.
    h.stores.jobs.transition(1, 'queued', 'submitting', { attempts: 1 });
    h.stores.jobs.transition(2, 'queued', 'submitting', { attempts: 1, sentAt: 5 });
    crashedBefore(h);
    h.client.running.mockResolvedValue([listed('gen_2', 'prompt 2')]);
    h.scheduler.start();
    await h.until(() => stateOf(h, 2) === 'done' && stateOf(h, 1) === 'queued');
    expect(h.job(1)).toMatchObject({ attempts: 0, sentAt: null });
    expect(h.client.create).not.toHaveBeenCalled(); // the queue starts paused after a crash
    h.scheduler.resume();
    await h.until(() => stateOf(h, 1) === 'done');
    expect(h.client.create).toHaveBeenCalledTimes(1);
    expect(h.client.create.mock.calls[0]![1]).toMatchObject({ prompt: 'prompt 1' });
  });

  it('the sent mark is written just before the create is written, in the submitting row, and cleared when it is queued again', async () => {
    h = await schedulerHarness();
    const seen: { before: number | null; after: number | null }[] = [];
    h.client.create.mockImplementation(async (_m, input, _f, _s, onWrite) => {
      expect(h.job(1).state).toBe('submitting');
      const before = h.job(1).sentAt;
      onWrite?.();
      seen.push({ before, after: h.job(1).sentAt });
      if (seen.length === 1) throw apiError({ status: 503, code: 'PROVIDER_UNAVAILABLE' });
      return { id: `gen_${input.prompt}`, status: 'IN_QUEUE' };
    });
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    // Refused for now: back in the queue, no longer marked sent (the next attempt is a new send).
    expect(h.job(1)).toMatchObject({ state: 'queued', sentAt: null });
    await h.until(() => stateOf(h) === 'done');
    expect(seen).toEqual([
      { before: null, after: expect.any(Number) },
      { before: null, after: expect.any(Number) },
    ]);
  });

  it('a mark that cannot be written stops the create unsent and pauses for the disk; Resume sends it', async () => {
    h = await schedulerHarness();
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const patch = h.stores.jobs.patch.bind(h.stores.jobs);
    const spy = vi.spyOn(h.stores.jobs, 'patch').mockImplementationOnce(() => {
      throw full;
    });
    let written = 0;
    h.client.create.mockImplementation(async (_m, input, _f, _s, onWrite) => {
      onWrite?.(); // throws when the mark fails: the real client then never writes the request
      written++;
      return { id: `gen_${input.prompt}`, status: 'IN_QUEUE' };
    });
    h.scheduler.start();
    await h.until(() => h.scheduler.status().paused);
    expect(h.scheduler.status().pauseReason).toBe('disk');
    expect(written).toBe(0);
    expect(h.job(1)).toMatchObject({ state: 'submitting', sentAt: null });
    spy.mockImplementation(patch);
    h.scheduler.resume();
    await h.until(() => stateOf(h) === 'done');
    expect(written).toBe(1);
    expect(h.client.running).not.toHaveBeenCalled(); // nothing to look for: it was never sent
  });
});
