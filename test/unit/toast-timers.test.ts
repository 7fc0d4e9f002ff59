// A toast's time runs only while nobody is reading it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToastTimers } from '../../renderer/src/store/toast-timers.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('toast timers', () => {
  it('end a toast after its time, but not while it is held; released, it gets its whole time again', () => {
    const timers = new ToastTimers();
    const ended: number[] = [];
    timers.start(1, 12_000, () => ended.push(1));
    timers.start(2, 5_000, () => ended.push(2));
    vi.advanceTimersByTime(4_000);
    timers.hold(1);
    vi.advanceTimersByTime(60_000);
    expect(ended).toEqual([2]);
    timers.release(1);
    vi.advanceTimersByTime(11_999);
    expect(ended).toEqual([2]);
    vi.advanceTimersByTime(1);
    expect(ended).toEqual([2, 1]);
  });

  it('forget a dismissed toast, and a second hold or release changes nothing', () => {
    const timers = new ToastTimers();
    const ended: number[] = [];
    timers.start(1, 1_000, () => ended.push(1));
    timers.hold(1);
    timers.hold(1);
    timers.release(1);
    timers.release(1);
    vi.advanceTimersByTime(1_000);
    expect(ended).toEqual([1]);
    timers.start(2, 1_000, () => ended.push(2));
    timers.stop(2);
    timers.release(2);
    vi.advanceTimersByTime(5_000);
    expect(ended).toEqual([1]);
  });
});
