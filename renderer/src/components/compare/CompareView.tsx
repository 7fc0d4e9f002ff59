// Compare 2–4 images: side by side with one zoom and pan for all (wheel or pinch, drag, + − 0), a slider
// or an overlay between two, and the parameters that differ between them highlighted. Escape closes it.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AssetDetail } from '../../../../shared/contract.ts';
import { api, errorMessage } from '../../api.ts';
import { FIT, STEP, panBy, zoomAt, type ZoomView } from '../../compare/zoom.ts';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';
import { Modal } from '../power/Modal.tsx';
import { Segmented } from '../Segmented.tsx';
import { ParamTable } from './ParamTable.tsx';
import { ZoomStage, type StageMode } from './ZoomStage.tsx';

/** Panes are named by letter (A, B, C, D), in the order the images were selected. */
export const paneLabel = (i: number) => String.fromCharCode(65 + i);

const PAN = 0.1;
const ARROWS: Record<string, [number, number]> = {
  ArrowLeft: [PAN, 0],
  ArrowRight: [-PAN, 0],
  ArrowUp: [0, PAN],
  ArrowDown: [0, -PAN],
};

/**
 * +, − and 0 zoom every pane; with `arrows`, the arrow keys pan a zoomed view (pick the best keeps them
 * for choosing). Keys typed into a field or a slider are left to it.
 */
export function useZoomKeys(setView: (f: (v: ZoomView) => ZoomView) => void, arrows: boolean) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if ((e.target as HTMLElement | null)?.closest('input, textarea, select')) return;
      const step: Record<string, (v: ZoomView) => ZoomView> = {
        '+': (v) => zoomAt(v, STEP),
        '=': (v) => zoomAt(v, STEP),
        '-': (v) => zoomAt(v, 1 / STEP),
        _: (v) => zoomAt(v, 1 / STEP),
        '0': () => FIT,
      };
      const by = arrows ? ARROWS[e.key] : undefined;
      const f = step[e.key] ?? (by ? (v: ZoomView) => panBy(v, by[0], by[1]) : undefined);
      if (!f) return;
      e.preventDefault();
      setView(f);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [setView, arrows]);
}

export function ZoomControls(props: { view: ZoomView; setView: (f: (v: ZoomView) => ZoomView) => void }) {
  const { t } = useTranslation();
  return (
    <div className="zoom-controls" role="group" aria-label={t('compare.zoom')}>
      <button
        type="button"
        className="icon-btn"
        aria-label={t('compare.zoomOut')}
        title={`${t('compare.zoomOut')} (−)`}
        disabled={props.view.scale <= 1}
        onClick={() => props.setView((v) => zoomAt(v, 1 / STEP))}
      >
        <Icon name="minus" size={16} />
      </button>
      <output className="zoom-controls__level" aria-label={t('compare.zoomLevel')}>
        {Math.round(props.view.scale * 100)}%
      </output>
      <button
        type="button"
        className="icon-btn"
        aria-label={t('compare.zoomIn')}
        title={`${t('compare.zoomIn')} (+)`}
        onClick={() => props.setView((v) => zoomAt(v, STEP))}
      >
        <Icon name="plus" size={16} />
      </button>
      <button
        type="button"
        className="btn btn--sm btn--ghost"
        title={`${t('compare.fit')} (0)`}
        disabled={props.view.scale === 1}
        onClick={() => props.setView(() => FIT)}
      >
        {t('compare.fit')}
      </button>
    </div>
  );
}

export function CompareView() {
  const ids = useStudio((s) => s.compareIds);
  // Mounted only while open: its keys (+ − 0, arrows) must not act on the page behind it otherwise.
  return ids ? <CompareDialog ids={ids} /> : null;
}

function CompareDialog({ ids }: { ids: number[] }) {
  const { t } = useTranslation();
  const close = useStudio((s) => s.closeCompare);
  const [assets, setAssets] = useState<AssetDetail[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<StageMode>('side');
  const [view, setViewState] = useState<ZoomView>(FIT);
  const [position, setPosition] = useState(50);
  const setView = useCallback((f: ZoomView | ((v: ZoomView) => ZoomView)) => setViewState(f), []);
  const onView = useCallback((v: ZoomView) => setViewState(v), []);
  useZoomKeys(setView, true);

  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    setAssets(null);
    setError(null);
    setMode('side');
    Promise.all(key.split(',').map((id) => api.call('library.get', { id: Number(id) })))
      .then((found) => {
        if (!live) return;
        const present = found.filter((a): a is AssetDetail => a !== null);
        if (present.length < 2) setError(t('compare.gone'));
        else setAssets(present);
      })
      .catch((err: unknown) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [key, t]);

  const labels = (assets ?? []).map((_, i) => paneLabel(i));
  return (
    <Modal title={t('compare.title', { count: ids.length })} onClose={close} full>
      <div className="compare">
        <div className="compare__toolbar">
          {assets?.length === 2 ? (
            <Segmented
              label={t('compare.mode')}
              hideLabel
              value={mode}
              onChange={setMode}
              options={[
                { value: 'side', label: t('compare.sideBySide') },
                { value: 'slider', label: t('compare.slider') },
                { value: 'overlay', label: t('compare.overlay') },
              ]}
            />
          ) : null}
          <ZoomControls view={view} setView={setView} />
          <p className="hint compare__hint">{t('compare.hint')}</p>
        </div>
        {error ? (
          <p className="field__error" role="alert">
            {error}
          </p>
        ) : !assets ? (
          <p className="muted">
            <span className="spinner" aria-hidden="true" /> {t('common.loading')}
          </p>
        ) : (
          <>
            <ZoomStage
              assets={assets}
              labels={labels}
              mode={mode}
              view={view}
              onView={onView}
              position={position}
              onPosition={setPosition}
            />
            <ParamTable assets={assets} labels={labels} />
          </>
        )}
      </div>
    </Modal>
  );
}
