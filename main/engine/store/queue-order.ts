// The queue's order: batches run by priority (high first), then by their place in the queue, which a person
// changes by moving a batch to the top, the bottom, one step up or down among the unfinished batches, or
// just before another one (drag and drop in the Queue).
import type { DB } from './db.ts';
import { StudioError } from '../errors.ts';

export const PRIORITIES = [-2, -1, 0, 1, 2] as const;
export type Priority = (typeof PRIORITIES)[number];
export type Move = 'top' | 'bottom' | 'up' | 'down' | { before: number };

export class QueueOrderError extends StudioError {
  constructor(message: string, code: 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT' = 'INVALID_INPUT') {
    super(code, message);
    this.name = 'QueueOrderError';
  }
}

/** SQL order of batches as the scheduler claims them. */
export const RUN_ORDER = 'priority DESC, queue_pos, id';

export class QueueOrder {
  private readonly db: DB;
  constructor(db: DB) {
    this.db = db;
  }

  /** Unfinished batches (active or paused) in the order they run. */
  upcoming(): { id: number; priority: number }[] {
    return this.db
      .prepare(`SELECT id, priority FROM batches WHERE status IN ('active', 'paused') ORDER BY ${RUN_ORDER}`)
      .all() as { id: number; priority: number }[];
  }

  /**
   * Moves a batch among the unfinished batches of its priority (priority still comes first: a batch moved
   * to the top runs before every batch of its priority and below). Positions are renumbered in one
   * transaction, so the order survives a restart exactly as shown.
   */
  move(batchId: number, move: Move): void {
    this.db.transaction(() => {
      const order = this.upcoming();
      const from = order.findIndex((b) => b.id === batchId);
      if (from < 0) {
        throw new QueueOrderError(
          `Batch #${batchId} is not waiting in the queue (finished, canceled or unknown), so it has no place to move.`,
        );
      }
      const [item] = order.splice(from, 1) as [{ id: number; priority: number }];
      let to: number;
      if (typeof move === 'object') {
        if (move.before === batchId) return;
        to = order.findIndex((b) => b.id === move.before);
        if (to < 0) {
          throw new QueueOrderError(
            `Batch #${move.before} is not waiting in the queue (finished, canceled or unknown), so nothing can be moved before it.`,
          );
        }
      } else if (move === 'top') to = 0;
      else if (move === 'bottom') to = order.length;
      else if (move === 'up') to = Math.max(0, from - 1);
      else to = Math.min(order.length, from + 1);
      order.splice(to, 0, item);
      const set = this.db.prepare('UPDATE batches SET queue_pos = ? WHERE id = ?');
      order.forEach((b, i) => set.run(i + 1, b.id));
      // Priority comes first in the run order. Just before a batch means its priority too; a move to the top
      // means "run this first" (the highest priority among the others), to the bottom the lowest.
      if (typeof move === 'object') {
        const target = order[to + 1] as { id: number; priority: number };
        if (item.priority !== target.priority) this.setPriority(batchId, target.priority as Priority);
      } else if (move === 'top') {
        const top = Math.max(...order.map((b) => b.priority));
        if (item.priority < top) this.setPriority(batchId, top as Priority);
      } else if (move === 'bottom') {
        const bottom = Math.min(...order.map((b) => b.priority));
        if (item.priority > bottom) this.setPriority(batchId, bottom as Priority);
      }
    })();
  }

  setPriority(batchId: number, priority: Priority): void {
    if (!(PRIORITIES as readonly number[]).includes(priority)) {
      throw new QueueOrderError(`Priority must be one of ${PRIORITIES.join(', ')}; got ${priority}.`);
    }
    const r = this.db.prepare('UPDATE batches SET priority = ? WHERE id = ?').run(priority, batchId);
    if (r.changes === 0) throw new QueueOrderError(`There is no batch #${batchId}.`, 'NOT_FOUND');
  }

  priorityOf(batchId: number): number {
    const row = this.db.prepare('SELECT priority FROM batches WHERE id = ?').get(batchId) as
      { priority: number } | undefined;
    return row?.priority ?? 0;
  }
}
