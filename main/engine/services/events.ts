// What the engine tells every open view, as one typed event bus: the services emit, the transports forward.
import type { EventEmitter } from 'node:events';
import type { AssetRow, BatchSummary, QueueStatus } from '../../../shared/domain.ts';
import type { JobRecord } from '../store/jobs.ts';

export interface StudioEvents {
  job: [JobRecord];
  queue: [QueueStatus];
  batch: [BatchSummary];
  asset: [AssetRow];
  /** Nothing is in flight and nothing more will start by itself. */
  settled: [];
}

export type StudioEventBus = EventEmitter<StudioEvents>;
