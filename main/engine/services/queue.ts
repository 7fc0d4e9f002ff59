// The queue as a whole: its status, pausing and resuming it, and the totals `status` prints.
import type { JobCounts, QueueStatus } from '../../../shared/domain.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { PersistedQueueState } from '../store/queue-state.ts';
import type { Stores } from '../store/stores.ts';

export { LeaseBusyError, type LeaseHolder } from '../store/runner-lock.ts';

export class QueueService {
  private readonly stores: Stores;
  private readonly scheduler: Scheduler;

  constructor(stores: Stores, scheduler: Scheduler) {
    this.stores = stores;
    this.scheduler = scheduler;
  }

  /** The status as this process's scheduler sees it (in flight, limits, offline, paused). */
  status(): QueueStatus {
    return this.scheduler.status();
  }

  /** The paused flag and its reason as stored: what the folder's runner, whichever process it is, decided. */
  stored(): PersistedQueueState {
    return this.stores.queue.get();
  }

  pause(): QueueStatus {
    this.scheduler.pause('user');
    return this.status();
  }

  resume(): QueueStatus {
    this.scheduler.resume();
    return this.status();
  }

  /**
   * Runs `change` in one IMMEDIATE transaction: a process that does not run the queue changes it this way, so
   * the runner (another process) cannot slip a write in between what the change reads and what it writes.
   */
  atomically<T>(change: () => T): T {
    return this.stores.db.transaction(change).immediate();
  }

  /** Lifts a stored pause (the runner in another process notices and carries on); false when not paused. */
  liftStoredPause(): boolean {
    if (!this.stores.queue.get().paused) return false;
    this.stores.queue.set({ paused: false, reason: null, message: null });
    return true;
  }

  /** Re-reads the settings and the client, and tells every view the status (after taking the folder over). */
  refresh(): void {
    this.scheduler.refresh();
  }

  totals(): { counts: JobCounts; creditsSpent: number; assets: number } {
    return {
      counts: this.stores.jobs.counts(),
      creditsSpent: this.stores.jobs.creditsSpent(),
      assets: this.stores.assets.count(),
    };
  }

  /**
   * A number that changes whenever another process commits to the catalog (SQLite's data_version): a
   * cheap way to ask "anything new?" while following a queue run elsewhere.
   */
  changeVersion(): number {
    return this.stores.db.pragma('data_version', { simple: true }) as number;
  }
}
