import type { PauseReason } from '../../../shared/domain.ts';
import type { DB } from './db.ts';

export interface PersistedQueueState {
  paused: boolean;
  reason: PauseReason | null;
  message: string | null;
}

/** The queue's pause switch, persisted so a paused queue stays paused across restarts. */
export class QueueStateStore {
  private readonly db: DB;
  constructor(db: DB) {
    this.db = db;
  }

  get(): PersistedQueueState {
    const r = this.db
      .prepare('SELECT paused, pause_reason, pause_message FROM queue_state WHERE id = 1')
      .get() as {
      paused: number;
      pause_reason: PauseReason | null;
      pause_message: string | null;
    };
    return { paused: r.paused === 1, reason: r.pause_reason, message: r.pause_message };
  }

  set(s: PersistedQueueState): void {
    this.db
      .prepare(
        'UPDATE queue_state SET paused = ?, pause_reason = ?, pause_message = ?, updated_at = ? WHERE id = 1',
      )
      .run(s.paused ? 1 : 0, s.reason, s.message, Date.now());
  }
}
