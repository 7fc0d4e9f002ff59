// Where a batch dropped in the Queue lands (batch-drag.ts does the dragging). Pure, so it is tested directly.
import type { BatchMove } from '../../../../shared/contract.ts';

export type DropSide = 'before' | 'after';

/**
 * The move that puts `dragged` on the `side` of `target`, given the waiting batches in queue order; null
 * when it would stay where it is (or either is not waiting).
 */
export function dropMove(
  order: readonly number[],
  dragged: number,
  target: number,
  side: DropSide,
): BatchMove | null {
  const from = order.indexOf(dragged);
  const rest = order.filter((id) => id !== dragged);
  const at = rest.indexOf(target);
  if (from < 0 || at < 0) return null;
  const before = side === 'before' ? target : rest[at + 1];
  if (before === undefined) return from === order.length - 1 ? null : 'bottom';
  return before === order[from + 1] ? null : { before };
}
