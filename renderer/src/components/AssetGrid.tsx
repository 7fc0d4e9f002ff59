// The library's thumbnails: a virtualized grid (only the rows in view exist in the page) whose column count
// follows the width, loading the next page as the end comes into view. Tiles show the engine's cached
// thumbnails; a tile whose image file is gone says so instead of showing a broken picture.
//
// Selection works as in a file manager: click selects one (and opens its details), Shift-click a range,
// Ctrl/⌘-click adds or removes one, Ctrl/⌘+A selects everything loaded, Escape clears. From the keyboard:
// arrows move, Enter opens details, F toggles favorite, 0–5 rate, Delete moves to the trash (with undo).
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  memo,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { AssetRow } from '../../../shared/domain.ts';
import { TILE_THUMB_SIZE } from '../../../shared/media-url.ts';
import { api } from '../api.ts';
import { hasMod } from '../keyboard.ts';
import { useStudio } from '../store/index.ts';
import { Icon } from './Icon.tsx';

const MIN_TILE = 150;
const GAP = 12;
/** Start loading the next page this many rows before the end comes into view. */
const PREFETCH_ROWS = 4;

/** Thumbnails that answered 404 (their image file is missing), so a tile scrolled back into view does not ask again. */
const missingThumbs = new Set<number>();

interface TileProps {
  asset: AssetRow;
  square: boolean;
  selected: boolean;
  tabbable: boolean;
  width: number;
  x: number;
  y: number;
}

const Tile = memo(function Tile({ asset: a, square, selected, tabbable, width, x, y }: TileProps) {
  const { t } = useTranslation();
  const [missing, setMissing] = useState(() => missingThumbs.has(a.id));
  const name = a.prompt || t('grid.imported');
  const onClick = (e: MouseEvent) => {
    const s = useStudio.getState();
    if (e.shiftKey) s.selectRange(a.id);
    else if (hasMod(e)) s.toggleSelected(a.id);
    else {
      s.selectOnly(a.id);
      void s.selectAsset(a.id);
    }
  };
  return (
    <li
      className="tile-wrap"
      style={{ position: 'absolute', width, height: width, transform: `translate(${x}px, ${y}px)` }}
    >
      <button
        type="button"
        className={`tile${square ? ' tile--square' : ''}${selected ? ' tile--selected' : ''}${a.rejected ? ' tile--rejected' : ''}`}
        aria-pressed={selected}
        aria-label={missing ? t('grid.missingLabel', { name }) : undefined}
        data-id={a.id}
        tabIndex={tabbable ? 0 : -1}
        title={name}
        onClick={onClick}
        onFocus={() => useStudio.getState().setFocus(a.id)}
      >
        {missing ? (
          <span className="tile__missing">
            <Icon name="missing" size={22} />
            <span>{t('grid.missing')}</span>
          </span>
        ) : (
          <img
            // The small thumbnail when it covers the tile's device pixels: less to decode and scale.
            src={api.mediaUrl(width * devicePixelRatio <= TILE_THUMB_SIZE ? 'tile' : 'thumb', a.id)}
            alt={name}
            decoding="async"
            draggable={false}
            // The whole image in its own shape, letterboxed in the square cell (unless squares are asked for).
            className={a.width >= a.height ? 'tile__img tile__img--wide' : 'tile__img tile__img--tall'}
            style={a.width > 0 && a.height > 0 ? { aspectRatio: `${a.width} / ${a.height}` } : undefined}
            // Element Timing: lets a measurement see when the first thumbnail was painted.
            {...{ elementtiming: 'thumb' }}
            onError={() => {
              missingThumbs.add(a.id);
              setMissing(true);
            }}
          />
        )}
        <span className="tile__badges" aria-hidden="true">
          {a.favorite ? (
            <span className="tile__badge tile__badge--fav">
              <Icon name="star" size={12} filled />
            </span>
          ) : null}
          {a.rating ? (
            <span className="tile__badge">
              <Icon name="star" size={11} filled />
              {a.rating}
            </span>
          ) : null}
          {a.rejected ? <span className="tile__badge tile__badge--rej">{t('grid.rejected')}</span> : null}
        </span>
        {selected ? (
          <span className="tile__check" aria-hidden="true">
            <Icon name="check" size={14} />
          </span>
        ) : null}
      </button>
    </li>
  );
});

export function AssetGrid() {
  const { t } = useTranslation();
  const { rows, hasMore, selection, allMatching, focusId, loadMore, loading, square } = useStudio(
    useShallow((s) => ({
      square: s.squareTiles,
      rows: s.libraryRows,
      hasMore: s.libraryHasMore,
      selection: s.selection,
      allMatching: s.allMatching,
      focusId: s.focusId,
      loadMore: s.loadMoreLibrary,
      loading: s.libraryStatus === 'loading',
    })),
  );
  const scroller = useRef<HTMLDivElement>(null);
  const pendingFocus = useRef<number | null>(null);
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
    count: rowCount + (hasMore ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => tile + GAP,
    overscan: 3,
    // Rendered in React's own time rather than synchronously inside each scroll event: the rows in
    // overscan cover the frame or two that may take, and scroll frames stay short.
    useFlushSync: false,
  });
  useEffect(() => {
    virtual.measure();
  }, [tile, virtual]);

  const items = virtual.getVirtualItems();
  const last = items.at(-1);
  useEffect(() => {
    if (hasMore && last && last.index >= rowCount - PREFETCH_ROWS) void loadMore();
  }, [hasMore, last, rowCount, loadMore]);

  // A keyboard move focuses its tile once the virtualizer has rendered it.
  useEffect(() => {
    const id = pendingFocus.current;
    if (id === null) return;
    const el = scroller.current?.querySelector<HTMLButtonElement>(`[data-id="${id}"]`);
    if (el) {
      pendingFocus.current = null;
      el.focus({ preventScroll: true });
    }
  });

  const tabbableId = focusId !== null && rows.some((r) => r.id === focusId) ? focusId : (rows[0]?.id ?? null);

  const moveTo = (index: number, extend: boolean) => {
    const target = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!target) return;
    const s = useStudio.getState();
    if (extend) s.selectRange(target.id);
    else {
      s.selectOnly(target.id);
      // Browsing with the details open keeps them on the image in focus.
      if (s.selectedAsset !== null) void s.selectAsset(target.id);
    }
    pendingFocus.current = target.id;
    virtual.scrollToIndex(Math.floor(rows.indexOf(target) / columns), { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).closest('input, textarea, select')) return;
    const s = useStudio.getState();
    const at = rows.findIndex((r) => r.id === (s.focusId ?? tabbableId));
    const mod = hasMod(e);
    const key = e.key;
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: columns,
      ArrowUp: -columns,
      PageDown: columns * 4,
      PageUp: -columns * 4,
    };
    if (key in moves && !mod && !e.altKey) {
      e.preventDefault();
      moveTo(at === -1 ? 0 : at + moves[key]!, e.shiftKey);
    } else if ((key === 'Home' || key === 'End') && !mod) {
      e.preventDefault();
      moveTo(key === 'Home' ? 0 : rows.length - 1, e.shiftKey);
    } else if (mod && !e.altKey && key.toLowerCase() === 'a') {
      e.preventDefault();
      s.selectAllLoaded();
    } else if (key === 'Escape') {
      if (s.selection.size > 1 || s.allMatching) s.clearSelection();
      else if (s.selectedAsset !== null) void s.selectAsset(null);
      else s.clearSelection();
    } else if (mod || e.altKey) {
      return;
    } else if (key === 'f' || key === 'F') {
      e.preventDefault();
      const sel = s.currentSelection();
      if (!sel) return;
      const covered = 'ids' in sel ? rows.filter((r) => sel.ids.includes(r.id)) : rows;
      void s.updateAssets({ favorite: !covered.every((r) => r.favorite) }, sel);
    } else if (/^[0-5]$/.test(key)) {
      e.preventDefault();
      void s.updateAssets({ rating: Number(key) });
    } else if (key === 'Delete' || key === 'Backspace') {
      e.preventDefault();
      void s.trashAssets();
    }
  };

  return (
    <div className="grid-scroll" ref={scroller} onKeyDown={onKeyDown}>
      <ul
        className="grid"
        aria-label={t('grid.label')}
        style={{ height: virtual.getTotalSize() + GAP, position: 'relative' }}
      >
        {items.flatMap((item) =>
          item.index >= rowCount
            ? [
                <li
                  key="more"
                  className="grid__more"
                  style={{ position: 'absolute', transform: `translateY(${GAP + item.start}px)` }}
                >
                  {loading ? <span className="spinner" aria-hidden="true" /> : null} {t('grid.loadingMore')}
                </li>,
              ]
            : rows
                .slice(item.index * columns, item.index * columns + columns)
                .map((a, col) => (
                  <Tile
                    key={a.id}
                    asset={a}
                    square={square}
                    selected={allMatching || selection.has(a.id)}
                    tabbable={a.id === tabbableId}
                    width={tile}
                    x={GAP + col * (tile + GAP)}
                    y={GAP + item.start}
                  />
                )),
        )}
      </ul>
    </div>
  );
}
