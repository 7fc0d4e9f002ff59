// Where a dropped batch lands in the Queue: just before the batch it was dropped on (upper half), or before
// the one after it (lower half; the bottom after the last); nothing when it would stay where it is.
import { describe, expect, it } from 'vitest';
import { dropMove } from '../../renderer/src/components/power/drop-move.ts';

describe('dropMove', () => {
  const order = [1, 2, 3, 4];
  it('moves before the target, or before the one after it', () => {
    expect(dropMove(order, 4, 2, 'before')).toEqual({ before: 2 });
    expect(dropMove(order, 4, 1, 'after')).toEqual({ before: 2 });
    expect(dropMove(order, 1, 3, 'after')).toEqual({ before: 4 });
    expect(dropMove(order, 1, 4, 'after')).toBe('bottom');
  });

  it('is nothing when the batch would stay in its place, or is not waiting', () => {
    expect(dropMove(order, 2, 3, 'before')).toBeNull();
    expect(dropMove(order, 2, 1, 'after')).toBeNull();
    expect(dropMove(order, 4, 3, 'after')).toBeNull();
    expect(dropMove(order, 2, 2, 'before')).toBeNull();
    expect(dropMove(order, 9, 2, 'before')).toBeNull();
    expect(dropMove(order, 2, 9, 'before')).toBeNull();
  });
});
