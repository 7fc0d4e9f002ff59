// What `run` and `resume` show while they work: a progress bar on a terminal, one JSON event per line with
// --json, and plain lines (one per finished job) when the output is a file or a pipe. Credits are this
// command's own (the jobs it saw finish), never the data folder's total.
import cliProgress from 'cli-progress';
import type { JobCounts, QueueStatus } from '../../shared/domain.ts';
import type { JobRecord } from '../engine/services/jobs.ts';
import type { Io } from './common.ts';

const FINISHED = new Set(['done', 'failed', 'canceled', 'uncertain']);
const BAR_WIDTH = 30;

export interface ProgressOptions {
  json: boolean;
  counts: () => JobCounts;
  /** The service address, named when it cannot be reached. */
  apiBase: string;
  /** 0: wait for the service forever. */
  offlineTimeoutS: number;
  /** What the credits belong to: the batch `run` enqueued, or everything this `resume`/`retry` ran. */
  scope: 'batch' | 'run';
}

export class Progress {
  private readonly io: Io;
  private readonly o: ProgressOptions;
  private multi: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;
  private lastQueueNote = '';
  /** Credits of each job that finished while this command ran. */
  private readonly charged = new Map<number, number>();
  private startedAt = 0;
  private finishedAtStart = 0;

  constructor(io: Io, o: ProgressOptions) {
    this.io = io;
    this.o = o;
  }

  /** Credits charged for the jobs this command saw finish. */
  credits(): number {
    let sum = 0;
    for (const c of this.charged.values()) sum += c;
    return sum;
  }

  start(): void {
    const c = this.o.counts();
    this.startedAt = Date.now();
    this.finishedAtStart = finished(c);
    if (this.o.json || !this.io.isTTY) return;
    // A MultiBar (with one bar) can print notes above the bar without leaving stale bars behind.
    this.multi = new cliProgress.MultiBar(
      {
        format: (_opts, params, payload) => this.line(params.value, params.total, payload),
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.multi.create(total(c), finished(c), this.payload(c));
  }

  job(j: JobRecord): void {
    if (j.state === 'done' && j.credits !== null) this.charged.set(j.id, j.credits);
    if (this.o.json) {
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
      const c = this.o.counts();
      this.bar.setTotal(total(c));
      this.bar.update(finished(c), this.payload(c));
      if (j.state === 'failed' || j.state === 'uncertain')
        this.note(`job ${j.id} ${j.state}: ${j.errorMessage ?? ''}`);
      return;
    }
    if (FINISHED.has(j.state)) {
      const c = this.o.counts();
      const extra = j.state === 'done' ? '' : ` — ${j.errorMessage ?? j.errorCode ?? ''}`;
      this.io.out(`[${finished(c)}/${total(c)}] job ${j.id} ${j.state}: ${j.prompt.slice(0, 60)}${extra}`);
    }
  }

  queue(q: QueueStatus): void {
    if (this.o.json) {
      this.io.out(JSON.stringify({ type: 'queue', ...q }));
      return;
    }
    const wait =
      this.o.offlineTimeoutS > 0
        ? `giving up after ${this.o.offlineTimeoutS} s (--offline-timeout)`
        : 'waiting as long as it takes';
    const note = q.paused
      ? `Queue paused (${q.pauseReason}): ${q.pauseMessage ?? ''}`
      : q.offline
        ? `The service at ${this.o.apiBase} cannot be reached; retrying by itself, ${wait}…`
        : '';
    if (note && note !== this.lastQueueNote) this.note(note);
    this.lastQueueNote = note;
  }

  note(text: string): void {
    if (this.o.json) this.io.out(JSON.stringify({ type: 'note', message: text }));
    else if (this.multi) this.multi.log(`${text}\n`);
    else this.io.err(text);
  }

  stop(): void {
    this.multi?.stop();
    this.multi = null;
    this.bar = null;
  }

  summary(c: JobCounts, problems: JobRecord[], q: QueueStatus, folderCredits: number): void {
    const credits = this.credits();
    if (this.o.json) {
      this.io.out(
        JSON.stringify({
          type: 'summary',
          counts: c,
          creditsSpent: credits,
          folderCreditsSpent: folderCredits,
          queue: q,
        }),
      );
      return;
    }
    this.io.out(
      `Finished: ${c.done} done, ${c.failed} failed, ${c.uncertain} uncertain, ${c.canceled} canceled` +
        (c.queued + c.paused > 0 ? `, ${c.queued + c.paused} waiting` : '') +
        ` — ${credits} credits ${this.o.scope === 'batch' ? 'for this batch' : 'in this run'}` +
        ` (${folderCredits} in this data folder).`,
    );
    for (const j of problems) this.io.out(`  job ${j.id} ${j.state}: ${j.errorMessage ?? j.errorCode}`);
    if (c.uncertain > 0) {
      this.io.out(
        'Uncertain jobs may or may not have been accepted: `qwen-studio retry --uncertain` re-sends them (may charge twice), `qwen-studio drop --uncertain` drops them.',
      );
    }
    if (q.paused) this.io.out(`The queue is paused (${q.pauseReason}): ${q.pauseMessage ?? ''}`);
  }

  /** One bar line; the ETA comes from this command's own pace, and is "--" until a job has finished. */
  line(value: number, all: number, payload: { running?: number; failed?: number }, now = Date.now()): string {
    const ratio = all > 0 ? Math.min(1, value / all) : 0;
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    return (
      ` ${bar} ${Math.round(ratio * 100)}% | ${value}/${all} finished | ${payload.running ?? 0} running | ` +
      `${payload.failed ?? 0} failed | ${this.credits()} credits | ETA ${formatEta(this.etaSeconds(value, all, now))}`
    );
  }

  private etaSeconds(value: number, all: number, now: number): number | null {
    const remaining = all - value;
    if (remaining <= 0) return 0;
    const done = value - this.finishedAtStart;
    const elapsed = (now - this.startedAt) / 1000;
    if (done <= 0 || elapsed <= 0) return null;
    return Math.round((remaining * elapsed) / done);
  }

  private payload(c: JobCounts): { running: number; failed: number } {
    return { running: c.submitting + c.running + c.downloading, failed: c.failed };
  }
}

/** "--" when not known yet, else "45s", "3m 05s", "2h 10m". */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function total(c: JobCounts): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

function finished(c: JobCounts): number {
  return c.done + c.failed + c.canceled + c.uncertain;
}
