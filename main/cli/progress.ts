// What `run` and `resume` show while they work: a progress bar on a terminal, one JSON event per line with
// --json, and plain lines (one per finished job) when the output is a file or a pipe.
import cliProgress from 'cli-progress';
import type { JobCounts, QueueStatus } from '../../shared/domain.ts';
import type { JobRecord } from '../engine/store/jobs.ts';
import type { Io } from './common.ts';

const FINISHED = new Set(['done', 'failed', 'canceled', 'uncertain']);

export class Progress {
  private readonly io: Io;
  private readonly json: boolean;
  private readonly counts: () => JobCounts;
  private readonly credits: () => number;
  private multi: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;
  private lastQueueNote = '';

  constructor(io: Io, json: boolean, counts: () => JobCounts, credits: () => number) {
    this.io = io;
    this.json = json;
    this.counts = counts;
    this.credits = credits;
  }

  start(): void {
    if (this.json || !this.io.isTTY) return;
    const c = this.counts();
    // A MultiBar (with one bar) can print notes above the bar without leaving stale bars behind.
    this.multi = new cliProgress.MultiBar(
      {
        format:
          ' {bar} {percentage}% | {value}/{total} finished | {running} running | {failed} failed | {credits} credits | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.multi.create(total(c), finished(c), this.payload(c));
  }

  job(j: JobRecord): void {
    if (this.json) {
      this.io.out(
        JSON.stringify({
          type: 'job',
          id: j.id,
          batch: j.batchId,
          seq: j.seq,
          state: j.state,
          prompt: j.prompt,
          remoteId: j.remoteId,
          credits: j.credits,
          error: j.errorCode ? { class: j.errorClass, code: j.errorCode, message: j.errorMessage } : null,
        }),
      );
      return;
    }
    if (this.bar) {
      const c = this.counts();
      this.bar.setTotal(total(c));
      this.bar.update(finished(c), this.payload(c));
      if (j.state === 'failed' || j.state === 'uncertain')
        this.note(`job ${j.id} ${j.state}: ${j.errorMessage ?? ''}`);
      return;
    }
    if (FINISHED.has(j.state)) {
      const c = this.counts();
      const extra = j.state === 'done' ? '' : ` — ${j.errorMessage ?? j.errorCode ?? ''}`;
      this.io.out(`[${finished(c)}/${total(c)}] job ${j.id} ${j.state}: ${j.prompt.slice(0, 60)}${extra}`);
    }
  }

  queue(q: QueueStatus): void {
    if (this.json) {
      this.io.out(JSON.stringify({ type: 'queue', ...q }));
      return;
    }
    const note = q.paused
      ? `Queue paused (${q.pauseReason}): ${q.pauseMessage ?? ''}`
      : q.offline
        ? 'The service cannot be reached; waiting and retrying by itself…'
        : '';
    if (note && note !== this.lastQueueNote) this.note(note);
    this.lastQueueNote = note;
  }

  note(text: string): void {
    if (this.json) this.io.out(JSON.stringify({ type: 'note', message: text }));
    else if (this.multi) this.multi.log(`${text}\n`);
    else this.io.err(text);
  }

  stop(): void {
    this.multi?.stop();
    this.multi = null;
    this.bar = null;
  }

  summary(c: JobCounts, problems: JobRecord[], q: QueueStatus): void {
    const credits = this.credits();
    if (this.json) {
      this.io.out(JSON.stringify({ type: 'summary', counts: c, creditsSpent: credits, queue: q }));
      return;
    }
    this.io.out(
      `Finished: ${c.done} done, ${c.failed} failed, ${c.uncertain} uncertain, ${c.canceled} canceled` +
        (c.queued + c.paused > 0 ? `, ${c.queued + c.paused} waiting` : '') +
        ` — ${credits} credits spent in total.`,
    );
    for (const j of problems) this.io.out(`  job ${j.id} ${j.state}: ${j.errorMessage ?? j.errorCode}`);
    if (c.uncertain > 0) {
      this.io.out(
        'Uncertain jobs may or may not have been accepted: `qwen-studio retry --uncertain` re-sends them (may charge twice), `qwen-studio drop --uncertain` drops them.',
      );
    }
    if (q.paused) this.io.out(`The queue is paused (${q.pauseReason}): ${q.pauseMessage ?? ''}`);
  }

  private payload(c: JobCounts): Record<string, number> {
    return { running: c.submitting + c.running + c.downloading, failed: c.failed, credits: this.credits() };
  }
}

function total(c: JobCounts): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

function finished(c: JobCounts): number {
  return c.done + c.failed + c.canceled + c.uncertain;
}
