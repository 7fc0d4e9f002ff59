// Images side by side (or two stacked under a slider) that zoom and pan together: the wheel or a pinch
// zooms about the pointer, a drag pans, and every pane follows the one view (see compare/zoom.ts).
import { useEffect, useRef, type PointerEvent as ReactPointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AssetRow } from '../../../../shared/domain.ts';
import { api } from '../../api.ts';
import { panBy, wheelFactor, zoomAt, type ZoomView } from '../../compare/zoom.ts';

export type StageMode = 'side' | 'slider' | 'overlay';

/** The transform every pane's image gets: offsets are fractions of the image box, which fills its pane. */
function transformOf(v: ZoomView): string {
  return `translate(${v.x * 100}%, ${v.y * 100}%) scale(${v.scale})`;
}

/** Wheel, pinch and drag on one element, reported as changes of the shared view. */
function useGestures(view: ZoomView, onView: (v: ZoomView) => void) {
  const viewRef = useRef(view);
  viewRef.current = view;
  const pointers = useRef(new Map<number, { x: number; y: number }>());

  /** React's wheel listener is passive; this one is not, so the page does not scroll while zooming. */
  const wheelRef = (el: HTMLElement | null) => {
    if (!el) return;
    el.onwheel = (e: WheelEvent) => {
      e.preventDefault();
      const box = el.getBoundingClientRect();
      onViewRef.current(
        zoomAt(
          viewRef.current,
          wheelFactor(e.deltaY, e.deltaMode),
          (e.clientX - box.left) / box.width,
          (e.clientY - box.top) / box.height,
        ),
      );
    };
  };
  const onViewRef = useRef(onView);
  onViewRef.current = onView;

  const onPointerDown = (e: ReactPointerEvent<HTMLElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLElement>) => {
    const prev = pointers.current.get(e.pointerId);
    if (!prev) return;
    const box = e.currentTarget.getBoundingClientRect();
    const others = [...pointers.current].filter(([id]) => id !== e.pointerId).map(([, p]) => p);
    const now = { x: e.clientX, y: e.clientY };
    if (others.length === 1) {
      // Two fingers: the change of their distance zooms about their midpoint.
      const o = others[0]!;
      const before = Math.hypot(prev.x - o.x, prev.y - o.y);
      const after = Math.hypot(now.x - o.x, now.y - o.y);
      if (before > 0)
        onView(
          zoomAt(
            viewRef.current,
            after / before,
            ((now.x + o.x) / 2 - box.left) / box.width,
            ((now.y + o.y) / 2 - box.top) / box.height,
          ),
        );
    } else if (others.length === 0) {
      onView(panBy(viewRef.current, (now.x - prev.x) / box.width, (now.y - prev.y) / box.height));
    }
    pointers.current.set(e.pointerId, now);
  };
  const onPointerEnd = (e: ReactPointerEvent<HTMLElement>) => {
    pointers.current.delete(e.pointerId);
  };
  return {
    ref: wheelRef,
    onPointerDown,
    onPointerMove,
    onPointerUp: onPointerEnd,
    onPointerCancel: onPointerEnd,
  };
}

/** One image in its pane, drawn at the shared view. */
function Picture({ asset, view }: { asset: AssetRow; view: ZoomView }) {
  return (
    <img
      className="zstage__img"
      src={api.mediaUrl('asset', asset.id)}
      alt={asset.prompt}
      draggable={false}
      style={{ transform: transformOf(view) }}
    />
  );
}

function Pane(props: { asset: AssetRow; label: string; view: ZoomView; onView: (v: ZoomView) => void }) {
  const gestures = useGestures(props.view, props.onView);
  return (
    <figure className="zstage__pane" aria-label={props.label}>
      <div className={`zstage__frame${props.view.scale > 1 ? ' zstage__frame--zoomed' : ''}`} {...gestures}>
        <Picture asset={props.asset} view={props.view} />
      </div>
      <figcaption className="zstage__caption">
        <span className="zstage__badge">{props.label}</span>
        <span className="zstage__prompt" title={props.asset.prompt}>
          {props.asset.prompt}
        </span>
      </figcaption>
    </figure>
  );
}

/** Two images in one pane: the second shows right of the divider (slider) or through it (overlay). */
function SliderPane(props: {
  assets: [AssetRow, AssetRow];
  labels: [string, string];
  mode: 'slider' | 'overlay';
  position: number;
  onPosition: (p: number) => void;
  view: ZoomView;
  onView: (v: ZoomView) => void;
}) {
  const { t } = useTranslation();
  const gestures = useGestures(props.view, props.onView);
  const [a, b] = props.assets;
  const slider = props.mode === 'slider';
  return (
    <figure
      className="zstage__pane zstage__pane--single"
      aria-label={`${props.labels[0]} / ${props.labels[1]}`}
    >
      <div
        className={`zstage__frame zstage__frame--shaped${props.view.scale > 1 ? ' zstage__frame--zoomed' : ''}`}
        // The frame takes the first image's shape, so the divider runs across the picture, not a margin.
        style={{ aspectRatio: `${a.width} / ${a.height}` }}
        {...gestures}
      >
        <Picture asset={a} view={props.view} />
        <div
          className="zstage__top"
          style={slider ? { clipPath: `inset(0 0 0 ${props.position}%)` } : { opacity: props.position / 100 }}
        >
          <Picture asset={b} view={props.view} />
        </div>
        {slider ? <span className="zstage__divider" style={{ left: `${props.position}%` }} /> : null}
        <span className="zstage__corner zstage__corner--start">{props.labels[0]}</span>
        <span className="zstage__corner zstage__corner--end">{props.labels[1]}</span>
      </div>
      <figcaption className="zstage__caption zstage__caption--slider">
        <input
          type="range"
          className="zstage__range"
          min={0}
          max={100}
          value={props.position}
          aria-label={slider ? t('compare.sliderPosition') : t('compare.overlayOpacity')}
          onChange={(e) => props.onPosition(Number(e.target.value))}
        />
      </figcaption>
    </figure>
  );
}

export function ZoomStage(props: {
  assets: AssetRow[];
  labels: string[];
  mode: StageMode;
  view: ZoomView;
  onView: (v: ZoomView) => void;
  position: number;
  onPosition: (p: number) => void;
}) {
  // A new set of images starts from the whole picture.
  const key = props.assets.map((a) => a.id).join(',');
  const { onView } = props;
  useEffect(() => onView({ scale: 1, x: 0, y: 0 }), [key, onView]);
  if (props.mode !== 'side' && props.assets.length === 2) {
    return (
      <div className="zstage zstage--1">
        <SliderPane
          assets={props.assets as [AssetRow, AssetRow]}
          labels={props.labels as [string, string]}
          mode={props.mode}
          position={props.position}
          onPosition={props.onPosition}
          view={props.view}
          onView={props.onView}
        />
      </div>
    );
  }
  return (
    <div className={`zstage zstage--${props.assets.length}`}>
      {props.assets.map((a, i) => (
        <Pane key={a.id} asset={a} label={props.labels[i]!} view={props.view} onView={props.onView} />
      ))}
    </div>
  );
}
