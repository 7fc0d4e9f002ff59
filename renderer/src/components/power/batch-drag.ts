// Drag and drop of waiting batches in the Queue: a card's grip picks it up, and dropping it on the upper or
// lower half of another waiting batch puts it just before or after that one. It is the same engine operation
// as the move buttons (batch.move, here with `{ before: id }`); the buttons stay the keyboard way.
import { useState, type DragEvent } from 'react';
import { isWaitingBatch, type BatchSummary } from '../../../../shared/domain.ts';
import { useStudio } from '../../store/index.ts';
import { dropMove, type DropSide } from './drop-move.ts';

const TYPE = 'application/x-qwen-studio-batch';

export interface BatchDrag {
  /** Spread on the grip that picks the card up. */
  handle: {
    draggable: true;
    onDragStart: (e: DragEvent<HTMLElement>) => void;
    onDragEnd: () => void;
  };
  /** Spread on the card: where a dragged batch can be dropped. */
  target: {
    onDragOver: (e: DragEvent<HTMLElement>) => void;
    onDragLeave: (e: DragEvent<HTMLElement>) => void;
    onDrop: (e: DragEvent<HTMLElement>) => void;
  };
  /** Where the dragged batch would land if dropped now (shown as a line on that edge). */
  dropSide: DropSide | null;
  dragging: boolean;
}

function sideOf(e: DragEvent<HTMLElement>): DropSide {
  const r = e.currentTarget.getBoundingClientRect();
  return e.clientY < r.top + r.height / 2 ? 'before' : 'after';
}

/** Drag and drop for the Queue's cards: the props of each waiting batch's card (null for the others). */
export function useBatchDrag(batches: readonly BatchSummary[]): (b: BatchSummary) => BatchDrag | null {
  const moveBatch = useStudio((s) => s.moveBatch);
  const [dragged, setDragged] = useState<number | null>(null);
  const [over, setOver] = useState<{ id: number; side: DropSide } | null>(null);
  const order = batches.filter(isWaitingBatch).map((b) => b.id);
  const end = () => {
    setDragged(null);
    setOver(null);
  };
  return (b) => {
    if (!isWaitingBatch(b)) return null;
    return {
      handle: {
        draggable: true,
        onDragStart: (e) => {
          e.dataTransfer.setData(TYPE, String(b.id));
          e.dataTransfer.effectAllowed = 'move';
          const card = e.currentTarget.closest('article');
          if (card) e.dataTransfer.setDragImage(card, 24, 24);
          setDragged(b.id);
        },
        onDragEnd: end,
      },
      target: {
        onDragOver: (e) => {
          if (!e.dataTransfer.types.includes(TYPE)) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
          const side = sideOf(e);
          if (over?.id !== b.id || over.side !== side) setOver({ id: b.id, side });
        },
        onDragLeave: (e) => {
          if (e.currentTarget.contains(e.relatedTarget as Node | null)) return;
          setOver((o) => (o?.id === b.id ? null : o));
        },
        onDrop: (e) => {
          if (!e.dataTransfer.types.includes(TYPE)) return;
          e.preventDefault();
          const id = Number(e.dataTransfer.getData(TYPE));
          const move = dropMove(order, id, b.id, sideOf(e));
          end();
          if (move) void moveBatch(id, move);
        },
      },
      dropSide: dragged !== null && dragged !== b.id && over?.id === b.id ? over.side : null,
      dragging: dragged === b.id,
    };
  };
}
