// Following a generation to its end and bringing its images home, with a fake client, a fake downloader
// and fake timers: every way it can end.
import { describe, expect, it, vi } from 'vitest';
import { DownloadError } from '../../main/engine/library/download.ts';
import { readMetadata } from '../../main/engine/library/metadata/embed.ts';
import { CANCELED_BY_SERVICE } from '../../main/engine/scheduler/follow.ts';
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

describe('following', () => {
  it('a generation canceled remotely ends canceled, by the service, and is never sent again', async () => {
    h = await schedulerHarness();
    h.client.get.mockResolvedValue({ id: 'gen_prompt 1', status: 'CANCELED' });
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'canceled');
    expect(h.job()).toMatchObject({ errorCode: 'CANCELED', remoteId: 'gen_prompt 1' });
    expect(h.stores.jobs.events(1).at(-1)).toMatchObject({
      from: 'running',
      to: 'canceled',
      detail: CANCELED_BY_SERVICE,
    });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(h.client.create).toHaveBeenCalledTimes(1);
  });

  it('an older status name ("canceled") means the same', async () => {
    h = await schedulerHarness();
    h.client.get.mockResolvedValue({ id: 'gen_prompt 1', status: 'canceled' });
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'canceled');
  });

  it('FAILED at the service fails the job with its message and the credits it reports', async () => {
    h = await schedulerHarness();
    h.client.get.mockResolvedValue({
      id: 'gen_prompt 1',
      status: 'FAILED',
      code: 'IMAGE_GENERATION_FAILED',
      message: 'upstream broke',
      usage: { total: 0, subscription: 0, permanent: 0 },
    });
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'failed');
    expect(h.job()).toMatchObject({
      errorCode: 'IMAGE_GENERATION_FAILED',
      errorMessage: 'upstream broke',
      credits: 0,
    });
  });

  it('gives up following after pollTimeoutMs; Retry follows again without a new create', async () => {
    h = await schedulerHarness({ limits: { pollTimeoutMs: 60_000 } });
    h.client.get.mockResolvedValue({ id: 'gen_prompt 1', status: 'IN_PROGRESS' });
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'failed');
    expect(h.job()).toMatchObject({ errorCode: 'FOLLOW_TIMEOUT', errorClass: 'retryable' });
    h.client.get.mockResolvedValue(completed('gen_prompt 1'));
    expect(h.scheduler.retryJob(1).state).toBe('running');
    await h.until(() => stateOf(h) === 'done');
    expect(h.client.create).toHaveBeenCalledTimes(1);
  });

  it('a generation the service no longer knows (404) fails the job', async () => {
    h = await schedulerHarness();
    h.client.get.mockRejectedValue(
      apiError({ kind: 'job', status: 404, code: 'NOT_FOUND', message: 'gone' }),
    );
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'failed');
    expect(h.job().errorMessage).toBe('The service no longer knows generation gen_prompt 1: gone');
  });

  it('completed with no images fails with NO_IMAGES, without downloading', async () => {
    h = await schedulerHarness();
    h.client.get.mockResolvedValue(completed('gen_prompt 1', { images: 0 }));
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'failed');
    expect(h.job().errorCode).toBe('NO_IMAGES');
    expect(h.fs.download).not.toHaveBeenCalled();
  });
});

describe('downloading', () => {
  it('writes each image once, with its record already inside the bytes', async () => {
    h = await schedulerHarness();
    h.client.get.mockResolvedValue(completed('gen_prompt 1', { images: 2, usage: 40 }));
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'done');
    expect(h.written).toHaveLength(2);
    const records = h.written.map((w) => readMetadata(w.bytes).record);
    expect(records.map((r) => r?.remoteId)).toEqual(['gen_prompt 1', 'gen_prompt 1']);
    expect(records.map((r) => r?.credits)).toEqual([20, 20]);
    expect(records[1]?.input).toMatchObject({ image_index: 1 });
    const assets = h.stores.assets.forJob(1);
    expect(assets.map((a) => a.path).sort()).toEqual(h.written.map((w) => w.path).sort());
  });

  it('an expired link is refreshed from the service and the download carries on', async () => {
    h = await schedulerHarness();
    h.fs.download.mockRejectedValueOnce(new DownloadError('expired', 'link expired', { status: 403 }));
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'done');
    expect(h.client.get).toHaveBeenCalledTimes(2); // the poll, and the refresh
    expect(h.job().downloadAttempts).toBe(0);
  });

  it('a link that stays expired fails with DOWNLOAD_EXPIRED after maxDownloadAttempts; Retry costs nothing', async () => {
    h = await schedulerHarness({ limits: { maxDownloadAttempts: 2 } });
    h.fs.download.mockRejectedValue(new DownloadError('expired', 'link expired', { status: 403 }));
    let polls = 0;
    h.client.get.mockImplementation(async (id) => {
      if (++polls > 1) throw apiError({ status: 503 }); // no fresh link to be had
      return completed(id);
    });
    h.scheduler.start();
    await h.until(() => stateOf(h) === 'failed');
    expect(h.job()).toMatchObject({ errorCode: 'DOWNLOAD_EXPIRED', downloadAttempts: 2 });
    expect(h.job().errorMessage).toMatch(/generated \(and paid for\).*Retry downloads it again/);
    h.fs.download.mockReset();
    h.fs.download.mockImplementation(async (o) => {
      throw new DownloadError('transient', `unexpected ${o.url}`);
    });
    expect(h.scheduler.retryJob(1).state).toBe('downloading');
    expect(h.client.create).toHaveBeenCalledTimes(1);
  });

  it('a full disk pauses the queue "disk" naming the folder; resume finishes with nothing lost', async () => {
    h = await schedulerHarness();
    const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    h.fs.download.mockRejectedValueOnce(
      new DownloadError('disk', 'The disk holding /data/qs-data/library is full', { cause: full }),
    );
    h.scheduler.start();
    await h.until(() => h.scheduler.status().paused);
    expect(h.scheduler.status()).toMatchObject({ pauseReason: 'disk' });
    expect(h.scheduler.status().pauseMessage).toMatch(/qs-data/);
    expect(h.job()).toMatchObject({ state: 'downloading', downloadAttempts: 0 });
    h.scheduler.resume();
    await h.until(() => stateOf(h) === 'done');
    expect(h.stores.assets.forJob(1)).toHaveLength(1);
    expect(h.client.create).toHaveBeenCalledTimes(1);
  });
});
