// Faults in our own storage — SQLite full, I/O errors, busy beyond its timeout — wherever they surface in
// the scheduler's loops and timers: the queue pauses with reason "disk" naming the folder, nothing throws
// out of a timer (vitest fails a test on any unhandled error), and Resume finishes with nothing lost.
import { describe, expect, it, vi } from 'vitest';
import { isStorageFault, storageFaultMessage } from '../../main/engine/files/storage-fault.ts';
import { DownloadError } from '../../main/engine/library/download.ts';
import type { JobStore } from '../../main/engine/store/jobs.ts';
import { fakeTimersFor, schedulerHarness, stateOf, type Harness } from '../helpers/scheduler.ts';

let h: Harness;
fakeTimersFor(() => h);

const sqlite = (code: string) => Object.assign(new Error(`${code.toLowerCase()} happened`), { code });

/** Makes `method` of the job store throw `err` once, for calls that `when` picks. */
function failOnce<K extends 'transition' | 'dueQueued'>(
  jobs: JobStore,
  method: K,
  err: Error,
  when: (...args: Parameters<JobStore[K]>) => boolean = () => true,
): void {
  const real = jobs[method].bind(jobs) as (...a: unknown[]) => unknown;
  let armed = true;
  vi.spyOn(jobs, method).mockImplementation(((...args: Parameters<JobStore[K]>) => {
    if (armed && when(...args)) {
      armed = false;
      throw err;
    }
    return real(...args);
  }) as never);
}

async function expectDiskPauseThenResume(): Promise<void> {
  await h.until(() => h.scheduler.status().pauseReason === 'disk');
  const q = h.scheduler.status();
  expect(q.paused).toBe(true);
  expect(q.pauseMessage).toMatch(/qs-data-/); // names the data folder
  h.scheduler.resume();
  await h.until(() => stateOf(h) === 'done');
  expect(h.client.create).toHaveBeenCalledTimes(1);
  expect(h.stores.assets.forJob(1)).toHaveLength(1);
}

describe('storage faults pause the queue "disk"', () => {
  it('SQLITE_FULL while storing an accepted id: the id is kept, Resume attaches to it (no search, no resend)', async () => {
    h = await schedulerHarness();
    failOnce(
      h.stores.jobs,
      'transition',
      sqlite('SQLITE_FULL'),
      (_id, from, to) => from === 'submitting' && to === 'running',
    );
    h.scheduler.start();
    await expectDiskPauseThenResume();
    expect(h.job().remoteId).toBe('gen_prompt 1');
    expect(h.client.running).not.toHaveBeenCalled();
  });

  it('SQLITE_BUSY in the queue loop (a timer)', async () => {
    h = await schedulerHarness();
    failOnce(h.stores.jobs, 'dueQueued', sqlite('SQLITE_BUSY'));
    h.scheduler.start();
    await expectDiskPauseThenResume();
  });

  it('SQLITE_IOERR_WRITE when the generation completes', async () => {
    h = await schedulerHarness();
    failOnce(
      h.stores.jobs,
      'transition',
      sqlite('SQLITE_IOERR_WRITE'),
      (_id, from, to) => from === 'running' && to === 'downloading',
    );
    h.scheduler.start();
    await expectDiskPauseThenResume();
  });

  it('SQLITE_FULL while adding the asset row: the stored file is found again on Resume', async () => {
    h = await schedulerHarness();
    const real = h.stores.assets.add.bind(h.stores.assets);
    vi.spyOn(h.stores.assets, 'add').mockImplementationOnce(() => {
      throw sqlite('SQLITE_FULL');
    });
    h.scheduler.start();
    await h.until(() => h.scheduler.status().pauseReason === 'disk');
    vi.mocked(h.stores.assets.add).mockImplementation(real);
    h.scheduler.resume();
    await h.until(() => stateOf(h) === 'done');
    expect(h.stores.assets.forJob(1)).toHaveLength(1);
  });

  it('ENOSPC while writing a download (not counted against the job)', async () => {
    h = await schedulerHarness();
    const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    h.fs.download.mockRejectedValueOnce(
      new DownloadError('disk', 'The disk holding x is full', { cause: full }),
    );
    h.scheduler.start();
    await h.until(() => h.scheduler.status().pauseReason === 'disk');
    expect(h.job().downloadAttempts).toBe(0);
    h.scheduler.resume();
    await h.until(() => stateOf(h) === 'done');
  });

  it('a write begun before Resume that fails after it is retried, not paused again', async () => {
    h = await schedulerHarness({ jobs: 2 });
    const diskFull = () =>
      new DownloadError('disk', 'The disk holding x is full', {
        cause: Object.assign(new Error('no space'), { code: 'ENOSPC' }),
      });
    let failLate: (err: Error) => void = () => undefined;
    h.fs.download
      .mockImplementationOnce(() => Promise.reject(diskFull()))
      .mockImplementationOnce(() => new Promise((_resolve, reject) => (failLate = reject)));
    h.scheduler.start();
    await h.until(() => h.scheduler.status().pauseReason === 'disk' && h.fs.download.mock.calls.length === 2);
    h.scheduler.resume();
    failLate(diskFull()); // the disk as it was before the person freed space
    await h.until(() => stateOf(h, 1) === 'done' && stateOf(h, 2) === 'done');
    expect(h.scheduler.status().paused).toBe(false);
    expect(h.stores.assets.count()).toBe(2);
  });

  it('a database too full to record the pause itself: the pause is kept in memory until Resume', async () => {
    h = await schedulerHarness();
    failOnce(h.stores.jobs, 'dueQueued', sqlite('SQLITE_FULL'));
    const set = vi.spyOn(h.stores.queue, 'set').mockImplementationOnce(() => {
      throw sqlite('SQLITE_FULL');
    });
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.scheduler.status()).toMatchObject({ paused: true, pauseReason: 'disk' });
    expect(h.stores.queue.get().paused).toBe(false); // nothing could be written…
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.client.create).not.toHaveBeenCalled(); // …and still nothing starts
    set.mockRestore();
    await expectDiskPauseThenResume();
  });

  it('anything else escaping a task is a bug: logged, the queue keeps its state', async () => {
    h = await schedulerHarness();
    failOnce(
      h.stores.jobs,
      'transition',
      new TypeError('a bug'),
      (_id, from, to) => from === 'running' && to === 'downloading',
    );
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.scheduler.status().paused).toBe(false);
    expect(stateOf(h)).toBe('running');
  });
});

describe('isStorageFault', () => {
  it.each([
    ['SQLITE_FULL', true],
    ['SQLITE_IOERR_FSYNC', true],
    ['SQLITE_BUSY_SNAPSHOT', true],
    ['ENOSPC', true],
    ['SQLITE_CONSTRAINT_UNIQUE', false],
    ['ECONNRESET', false],
  ])('%s → %s, also wrapped as a cause', (code, expected) => {
    expect(isStorageFault(sqlite(code))).toBe(expected);
    expect(isStorageFault(new Error('wrapped', { cause: sqlite(code) }))).toBe(expected);
  });

  it('the message names the folder and what to do', () => {
    expect(storageFaultMessage(sqlite('SQLITE_FULL'), '/data/qs')).toBe(
      'Paused: the disk is full under /data/qs (SQLITE_FULL). Nothing was lost — free some space or check the disk, then press Resume.',
    );
  });
});
