// The sidebar's queue line: never "Queue idle" while a paused batch has jobs waiting or while jobs are being
// generated (what a newcomer saw with 15 jobs waiting in a paused batch, and with 2 generating).
import { describe, expect, it } from 'vitest';
import type { BatchSummary } from '../../shared/domain.ts';
import { batchSummary, queueStatus } from '../helpers/summaries.ts';
import { activeJobCount, summarizeQueue } from '../../renderer/src/store/queue-summary.ts';

const batch = (status: BatchSummary['status'], counts: Parameters<typeof batchSummary>[2]) =>
  batchSummary(1, status, counts);
const running = queueStatus();

describe('the sidebar queue line', () => {
  it('says how many wait in a paused batch instead of "idle"', () => {
    const s = summarizeQueue('open', running, [batch('paused', { queued: 15 }), batch('done', { done: 3 })]);
    expect(s).toEqual({ tone: 'warning', key: 'waitingPaused', waiting: 15 });
  });

  it('counts jobs of a paused batch that were paused one by one as waiting too', () => {
    expect(summarizeQueue('open', running, [batch('paused', { queued: 2, paused: 3 })])).toMatchObject({
      key: 'waitingPaused',
      waiting: 5,
    });
  });

  it('says "generating" while jobs are at the service, even in a batch paused meanwhile', () => {
    expect(summarizeQueue('open', running, [batch('active', { running: 2, done: 4 })])).toEqual({
      tone: 'active',
      key: 'generating',
      inFlight: 2,
      toGo: 2,
    });
    expect(summarizeQueue('open', running, [batch('paused', { running: 1, queued: 4 })])).toMatchObject({
      key: 'generating',
      inFlight: 1,
    });
    // The scheduler's own in-flight count, when a batch list arrives late.
    expect(summarizeQueue('open', { ...running, inFlight: 2 }, [])).toMatchObject({
      key: 'generating',
      inFlight: 2,
    });
  });

  it('is idle only when nothing waits and nothing runs', () => {
    expect(
      summarizeQueue('open', running, [batch('done', { done: 6 }), batch('canceled', { canceled: 2 })]),
    ).toEqual({
      tone: 'idle',
      key: 'idle',
    });
    expect(activeJobCount([batch('active', { queued: 3, running: 1 }), batch('paused', { queued: 9 })])).toBe(
      4,
    );
  });

  it('puts a paused queue, an offline service and a lost connection first', () => {
    const busy = [batch('active', { running: 2 })];
    expect(summarizeQueue('closed', running, busy).key).toBe('unreachable');
    expect(summarizeQueue('open', { ...running, paused: true }, busy).key).toBe('paused');
    expect(summarizeQueue('open', { ...running, offline: true }, busy).key).toBe('offline');
  });
});
