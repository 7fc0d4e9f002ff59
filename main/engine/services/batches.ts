// Batches: planning (the exact count and estimate before anything is stored), creating, steering the queue
// (order, priority, budget, parameter edits, duplicates), the sweep grid and its contact sheet, and the
// summaries every view shows.
import { DEFAULT_MODEL, type Model } from '../../../shared/api.ts';
import { uniqueName } from '../../../shared/batch-name.ts';
import {
  batchSpecSchema,
  type BatchPlan,
  type BatchSpec,
  type BatchSummary,
  type JobState,
  type ParsedBatchSpec,
  type PromptEntry,
} from '../../../shared/domain.ts';
import type { BatchImages, ParsedPromptFile } from '../../../shared/contract.ts';
import { batchImages } from './batch-images.ts';
import { parsePromptText, rowRefs } from '../batch/input-file.ts';
import type { SweepGrid } from '../../../shared/sweep.ts';
import { planBatch } from '../batch/plan.ts';
import type { JobEdit, JobEditor } from '../batch/job-edit.ts';
import type { Wildcards } from '../batch/wildcards.ts';
import { StudioError } from '../errors.ts';
import { renderContactSheet, type SheetResult } from '../library/contact-sheet.ts';
import { sweepGrid } from '../library/sweep-grid.ts';
import type { Logger } from '../log.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import { emptyCounts, type BatchStats } from '../store/jobs.ts';
import { QueueOrder, type Move, type Priority } from '../store/queue-order.ts';
import type { Stores } from '../store/stores.ts';
import type { StudioEventBus } from './events.ts';

// Reading prompt files, merging parameters and naming wildcards: what the CLI does before a Studio is open.
export { InputFileError, readPromptFile } from '../batch/input-file.ts';
export { mergeParams } from '../batch/plan.ts';
export { Wildcards } from '../batch/wildcards.ts';

/** Credits per image until real usage has been seen (API.md gives no price list). */
export const DEFAULT_CREDITS_PER_IMAGE = 20;

type BatchRecord = NonNullable<ReturnType<Stores['batches']['get']>>;

export interface BatchDeps {
  stores: Stores;
  scheduler: Scheduler;
  log: Logger;
  events: StudioEventBus;
  wildcards: Wildcards;
  jobEditor: JobEditor;
  random?: () => number;
}

export class BatchService {
  private readonly order: QueueOrder;

  private readonly d: BatchDeps;

  constructor(d: BatchDeps) {
    this.d = d;
    this.order = new QueueOrder(d.stores.db);
  }

  creditsPerImage(model: Model = DEFAULT_MODEL): { value: number; learned: boolean } {
    const learned = this.d.stores.jobs.learnedCreditsPerImage(model);
    return learned ? { value: learned, learned: true } : { value: DEFAULT_CREDITS_PER_IMAGE, learned: false };
  }

  /** Expands and validates a batch without storing anything: the exact count and the estimate. */
  plan(input: BatchSpec, opts: { checkRefs?: boolean } = {}): { spec: ParsedBatchSpec; plan: BatchPlan } {
    const spec = batchSpecSchema.parse(input);
    const cpi = this.creditsPerImage(spec.model);
    const plan = planBatch(spec, {
      creditsPerImage: cpi.value,
      estimateIsLearned: cpi.learned,
      wildcards: this.d.wildcards.snapshot(),
      ...(this.d.random ? { random: this.d.random } : {}),
    });
    for (const job of opts.checkRefs === false ? [] : plan.jobs) {
      for (const sha of job.refHashes) {
        if (!this.d.stores.refs.get(sha))
          throw new StudioError(
            'REFERENCE',
            `Reference image ${sha.slice(0, 12)}… is not in the data folder; add it again.`,
          );
      }
    }
    return { spec, plan };
  }

  /**
   * Reads a prompt file the page dropped (.txt, .csv, .jsonl) with the same reader as the CLI. A dropped file
   * has no folder its local reference images could be read from: those are reported, not read from wherever
   * the engine happens to run.
   */
  parsePromptFile(fileName: string, text: string): ParsedPromptFile {
    // A dropped file has no folder the engine could read its local images from (and reading paths a file
    // names from wherever the engine runs would be wrong): the page is told each row's references in order,
    // local images by file name, and the person adds those images, matched by name.
    const rows = parsePromptText(text, fileName);
    const entries: PromptEntry[] = rows.map(
      ({ refPaths: _paths, refSources: _sources, refsAt: _at, ...entry }) => entry,
    );
    return { entries, ...rowRefs(rows, fileName) };
  }

  /** Stores the batch and all its jobs in one transaction and wakes the queue. */
  create(input: BatchSpec): { batchId: number; plan: BatchPlan } {
    const { spec, plan } = this.plan(input);
    const batchId = this.d.stores.batches.create(spec, plan);
    this.d.log.info('batch enqueued', {
      batch: batchId,
      jobs: plan.jobs.length,
      estimate: plan.estimateCredits,
    });
    this.changed(batchId);
    return { batchId, plan };
  }

  /** Every batch: the waiting ones first, in the order they run; then the finished ones, newest first. */
  list(): BatchSummary[] {
    const counts = this.d.stores.jobs.countsByBatch();
    const stats = this.d.stores.jobs.batchStats();
    const cpiByModel = new Map<Model, number | null>();
    const place = new Map(this.order.upcoming().map((b, i) => [b.id, i]));
    return this.d.stores.batches
      .list()
      .map((b) => this.summarize(b, counts.get(b.id) ?? emptyCounts(), stats.get(b.id), cpiByModel))
      .sort((a, b) => (place.get(a.id) ?? Infinity) - (place.get(b.id) ?? Infinity) || b.id - a.id);
  }

  /** One batch's summary, or null when there is no such batch. */
  find(id: number): BatchSummary | null {
    const b = this.d.stores.batches.get(id);
    if (!b) return null;
    return this.summarize(
      b,
      this.d.stores.jobs.counts(id),
      this.d.stores.jobs.batchStats(id).get(id),
      new Map(),
    );
  }

  /** One batch's summary; NOT_FOUND when there is no such batch. */
  get(id: number): BatchSummary {
    const b = this.find(id);
    if (!b) throw notFound(id);
    return b;
  }

  rename(id: number, name: string): BatchSummary {
    this.record(id);
    this.d.stores.batches.rename(id, name);
    return this.changed(id);
  }

  pause(id: number): BatchSummary {
    this.record(id);
    this.d.scheduler.pauseBatch(id);
    return this.changed(id);
  }

  /** Resumes a paused batch; one paused at its budget says what to do instead of pausing again at once. */
  resume(id: number): BatchSummary {
    const b = this.record(id);
    if (b.status === 'paused' && b.pauseReason === 'budget' && b.maxCredits !== null) {
      const cpi = this.d.stores.jobs.learnedCreditsPerImage(b.model) ?? b.creditsPerImage;
      const next = this.d.stores.jobs.inStates(['queued'], id)[0];
      const { committed } = this.d.stores.jobs.batchSpend(id, cpi);
      if (next && committed + next.numImages * cpi > b.maxCredits) {
        throw new StudioError(
          'INVALID_INPUT',
          `Batch #${id} stopped at its budget of ${b.maxCredits} credits (${Math.round(committed)} spent or ` +
            'in flight): raise or remove its budget to continue.',
        );
      }
    }
    this.d.scheduler.resumeBatch(id);
    return this.changed(id);
  }

  cancel(id: number): BatchSummary {
    this.record(id);
    this.d.scheduler.cancelBatch(id);
    return this.changed(id);
  }

  /** Retries the batch's failed and uncertain jobs. */
  retry(id: number): BatchSummary {
    this.record(id);
    this.d.scheduler.retryBatch(id);
    return this.changed(id);
  }

  /** Moves a waiting batch to the top or bottom of the queue, one place up or down, or before another. */
  move(id: number, move: Move): BatchSummary {
    this.order.move(id, move);
    return this.changed(id);
  }

  setPriority(id: number, priority: Priority): BatchSummary {
    this.order.setPriority(id, priority);
    return this.changed(id);
  }

  /**
   * Raises, lowers or removes (null) a batch's credit budget; a batch paused at its budget continues when
   * the new one allows its next job.
   */
  setBudget(id: number, maxCredits: number | null): BatchSummary {
    const b = this.record(id);
    this.d.stores.batches.setBudget(id, maxCredits);
    this.d.log.info('batch budget changed', { batch: id, from: b.maxCredits, to: maxCredits });
    if (b.status === 'paused' && b.pauseReason === 'budget') this.d.scheduler.resumeBatch(id);
    return this.changed(id);
  }

  /** The same parameter change on every not-yet-submitted job of a batch. */
  editParams(id: number, edit: Omit<JobEdit, 'prompt'>): { edited: number; skipped: number } {
    const r = this.d.jobEditor.editBatch(id, edit);
    this.changed(id);
    return r;
  }

  /** A new batch with the same spec and the same jobs (prompts, parameters, seeds), queued at the bottom. */
  duplicate(id: number): BatchSummary {
    const b = this.record(id);
    const jobs = this.d.stores.jobs.list({ batchId: id, limit: 1_000_000 }).rows;
    const plan: BatchPlan = {
      jobs: jobs.map((j) => ({
        seq: j.seq,
        model: j.model,
        input: j.input,
        refHashes: j.refHashes,
        refPositions: j.refPositions,
        template: j.template,
        bindings: j.bindings,
        numImages: j.numImages,
        ...(j.origin !== null ? { origin: j.origin } : {}),
        ...(j.cell ? { cell: j.cell } : {}),
      })),
      images: jobs.reduce((n, j) => n + j.numImages, 0),
      estimateCredits: 0,
      creditsPerImage: b.creditsPerImage,
      estimateIsLearned: false,
    };
    const taken = new Set(this.d.stores.batches.list().map((x) => x.name));
    const name = uniqueName(`${b.name} copy`, (n) => taken.has(n));
    const copy = this.d.stores.batches.create({ ...b.spec, name }, plan);
    this.d.log.info('batch duplicated', { from: id, batch: copy, jobs: jobs.length });
    return this.changed(copy);
  }

  /** Each finished job's images (library ids), for the thumbnails in the Queue's job table. */
  images(id: number): BatchImages {
    this.record(id);
    return batchImages(this.d.stores.db, id);
  }

  /** A sweep batch laid out as its grid: axes, groups and each job in its cell with its images. */
  sweep(id: number): SweepGrid {
    return sweepGrid(this.d.stores.db, id);
  }

  /** One labelled PNG of a sweep (see library/contact-sheet.ts); `.png` is added when missing. */
  contactSheet(
    id: number,
    out: string,
    opts: { cellSize?: number; dark?: boolean } = {},
  ): Promise<SheetResult> {
    const target = out.toLowerCase().endsWith('.png') ? out : `${out}.png`;
    return renderContactSheet(this.sweep(id), target, opts);
  }

  /** Tells every view the batch changed (and wakes the queue, which may now have work). */
  changed(id: number): BatchSummary {
    const b = this.get(id);
    this.d.events.emit('batch', b);
    this.d.scheduler.kick();
    return b;
  }

  private record(id: number): BatchRecord {
    const b = this.d.stores.batches.get(id);
    if (!b) throw notFound(id);
    return b;
  }

  private summarize(
    b: BatchRecord,
    counts: Record<JobState, number>,
    stats: BatchStats | undefined,
    cpiByModel: Map<Model, number | null>,
  ): BatchSummary {
    if (!cpiByModel.has(b.model)) cpiByModel.set(b.model, this.d.stores.jobs.learnedCreditsPerImage(b.model));
    const cpi = cpiByModel.get(b.model) ?? b.creditsPerImage;
    const remaining = counts.queued + counts.submitting + counts.running + counts.downloading;
    let etaSeconds: number | null = null;
    if (remaining === 0) etaSeconds = 0;
    else if (
      stats &&
      stats.done >= 2 &&
      stats.firstSubmitted !== null &&
      stats.lastCompleted !== null &&
      stats.lastCompleted > stats.firstSubmitted
    ) {
      etaSeconds = Math.round((remaining * (stats.lastCompleted - stats.firstSubmitted)) / stats.done / 1000);
    }
    return {
      id: b.id,
      name: b.name,
      model: b.model,
      status: b.status,
      pauseReason: b.pauseReason,
      createdAt: b.createdAt,
      total: b.totalJobs,
      counts,
      images: b.totalImages,
      creditsSpent: stats?.spent ?? 0,
      creditsEstimate: Math.round(b.totalImages * cpi),
      maxCredits: b.maxCredits,
      priority: b.priority,
      sweep: b.spec.sweep ?? [],
      etaSeconds,
    };
  }
}

function notFound(id: number): StudioError {
  return new StudioError('NOT_FOUND', `Batch ${id} does not exist (it may belong to a deleted data folder).`);
}
