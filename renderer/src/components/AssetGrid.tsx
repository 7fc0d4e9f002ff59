// The library's thumbnails, newest first: a virtualized grid whose column count follows the width, loading
// the next page as the end comes into view.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../api.ts';
import { useStudio } from '../store/index.ts';

const MIN_TILE = 150;
const GAP = 12;

export function AssetGrid() {
  const { rows, hasMore, selected, select, loadMore } = useStudio(
    useShallow((s) => ({
      rows: s.libraryRows,
      hasMore: s.libraryHasMore,
      selected: s.selectedAsset,
      select: s.selectAsset,
      loadMore: s.loadMoreLibrary,
    })),
  );
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);

  const inner = Math.max(width - 2 * GAP, MIN_TILE);
  const columns = Math.max(1, Math.floor((inner + GAP) / (MIN_TILE + GAP)));
  const tile = (inner - GAP * (columns - 1)) / columns;
  const rowCount = Math.ceil(rows.length / columns);
  const virtual = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller.current,
    estimateSize: () => tile + GAP,
    overscan: 3,
  });
  useEffect(() => {
    virtual.measure();
  }, [tile, virtual]);

  const items = virtual.getVirtualItems();
  const last = items.at(-1);
  useEffect(() => {
    if (hasMore && last && last.index >= rowCount - 2) void loadMore();
  }, [hasMore, last, rowCount, loadMore]);

  return (
    <div className="grid-scroll" ref={scroller}>
      <ul
        className="grid"
        aria-label="Images"
        style={{ height: virtual.getTotalSize() + GAP, position: 'relative' }}
      >
        {items.flatMap((item) =>
          rows.slice(item.index * columns, item.index * columns + columns).map((a, col) => (
            <li
              key={a.id}
              className="tile-wrap"
              style={{
                position: 'absolute',
                width: tile,
                height: tile,
                transform: `translate(${GAP + col * (tile + GAP)}px, ${GAP + item.start}px)`,
              }}
            >
              <button
                type="button"
                className={`tile${a.id === selected ? ' tile--selected' : ''}`}
                aria-pressed={a.id === selected}
                title={a.prompt}
                onClick={() => void select(a.id)}
              >
                <img
                  src={api.mediaUrl('asset', a.id)}
                  alt={a.prompt}
                  loading="lazy"
                  decoding="async"
                  draggable={false}
                />
              </button>
            </li>
          )),
        )}
      </ul>
    </div>
  );
}
