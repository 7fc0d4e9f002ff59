import { describe, expect, it } from 'vitest';
import { batchSummary, queueStatus } from '../helpers/summaries.ts';
import { batchFinishedNotice, queuePausedNotice, taskbarProgress } from '../../main/app/progress.ts';

const batch = batchSummary;
const queue = queueStatus;

describe('taskbarProgress', () => {
  it('is -1 (no bar) when nothing is running', () => {
    expect(taskbarProgress([], queue())).toEqual({ value: -1, mode: 'none' });
    expect(taskbarProgress([batch(1, 'done', { done: 10 })], queue())).toEqual({ value: -1, mode: 'none' });
    expect(taskbarProgress([batch(1, 'canceled', { canceled: 3, queued: 2 })], queue())).toEqual({
      value: -1,
      mode: 'none',
    });
  });

  it('counts settled jobs (done, failed, canceled) over all jobs of the active batches', () => {
    const p = taskbarProgress(
      [
        batch(1, 'active', { done: 3, running: 2, queued: 5 }),
        batch(2, 'active', { done: 1, canceled: 1, queued: 8 }),
        batch(3, 'done', { done: 50 }),
      ],
      queue(),
    );
    expect(p).toEqual({ value: 5 / 20, mode: 'normal' });
  });

  it('does not count uncertain jobs as finished: they wait for a decision', () => {
    expect(taskbarProgress([batch(1, 'active', { done: 3, uncertain: 1 })], queue()).value).toBe(0.75);
  });

  it('leaves out an active batch whose jobs are all settled (its status just has not caught up)', () => {
    const p = taskbarProgress(
      [batch(1, 'active', { done: 4 }), batch(2, 'active', { done: 1, queued: 1 })],
      queue(),
    );
    expect(p.value).toBe(0.5);
  });

  it('keeps showing a paused batch, in the paused colour while the queue is paused', () => {
    const b = [batch(1, 'paused', { done: 1, paused: 3 })];
    expect(taskbarProgress(b, queue())).toEqual({ value: 0.25, mode: 'normal' });
    expect(taskbarProgress(b, queue({ paused: true, pauseReason: 'credits' }))).toEqual({
      value: 0.25,
      mode: 'paused',
    });
  });

  it('turns red when jobs of the running batches failed', () => {
    expect(taskbarProgress([batch(1, 'active', { done: 1, failed: 1, queued: 2 })], queue())).toEqual({
      value: 0.5,
      mode: 'error',
    });
  });

  it('works without a queue status', () => {
    expect(taskbarProgress([batch(1, 'active', { done: 1, queued: 1 })], null)).toEqual({
      value: 0.5,
      mode: 'normal',
    });
  });
});

describe('batchFinishedNotice', () => {
  it('announces a batch seen running and now done, with failures', () => {
    const before = batch(1, 'active', { done: 8, failed: 1, running: 1 }, 'Cats');
    const after = batch(1, 'done', { done: 9, failed: 1 }, 'Cats');
    expect(batchFinishedNotice(before, after)).toEqual({
      title: 'Batch finished: Cats',
      body: '9 of 10 generations done, 1 failed. Click to see its images in the Library.',
      // A click sends the page to the Library, showing exactly this batch.
      click: { action: 'open-batch', batchId: 1 },
    });
    expect(batchFinishedNotice(batch(2, 'paused', { queued: 1 }), batch(2, 'done', { done: 1 }))?.body).toBe(
      '1 of 1 generation done. Click to see its images in the Library.',
    );
  });

  it('a batch that made no image only brings the window forward', () => {
    const none = batchFinishedNotice(batch(3, 'active', { running: 2 }), batch(3, 'done', { failed: 2 }));
    expect(none).toEqual({ title: 'Batch finished: Batch 3', body: '0 of 2 generations done, 2 failed.' });
  });

  it('stays quiet for batches not seen before, already done, or not done', () => {
    const done = batch(1, 'done', { done: 2 });
    expect(batchFinishedNotice(undefined, done)).toBeNull();
    expect(batchFinishedNotice(done, done)).toBeNull();
    expect(
      batchFinishedNotice(batch(1, 'active', { queued: 2 }), batch(1, 'active', { done: 1, queued: 1 })),
    ).toBeNull();
    expect(
      batchFinishedNotice(batch(1, 'active', { queued: 2 }), batch(1, 'canceled', { canceled: 2 })),
    ).toBeNull();
  });
});

describe('queuePausedNotice', () => {
  const credits = queue({
    paused: true,
    pauseReason: 'credits',
    pauseMessage: 'Out of credits: top up, then resume.',
  });

  it('announces a pause the person did not ask for, with its message', () => {
    expect(queuePausedNotice(queue(), credits)).toEqual({
      title: 'Qwen Studio paused the queue',
      body: 'Out of credits: top up, then resume.',
    });
    expect(queuePausedNotice(undefined, queue({ paused: true, pauseReason: 'auth' }))?.body).toMatch(
      /Open Qwen Studio/,
    );
  });

  it('stays quiet for their own pause, a pause already announced, and when running', () => {
    expect(queuePausedNotice(queue(), queue({ paused: true, pauseReason: 'user' }))).toBeNull();
    expect(queuePausedNotice(credits, { ...credits, inFlight: 2 })).toBeNull();
    expect(queuePausedNotice(credits, queue())).toBeNull();
  });

  it('announces a pause whose reason changed', () => {
    expect(
      queuePausedNotice(
        credits,
        queue({ paused: true, pauseReason: 'auth', pauseMessage: 'The API key was refused.' }),
      )?.body,
    ).toBe('The API key was refused.');
  });
});
