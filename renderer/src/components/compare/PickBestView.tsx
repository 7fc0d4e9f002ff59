// "Pick the best": two images at a time, chosen from the keyboard (← or → chooses, ↓ or S skips,
// Backspace takes the last choice back, Escape stops), then the round's ranking with its winners one key
// away from a favourite (F) or a collection (C).
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { AssetRow } from '../../../../shared/domain.ts';
import { FIT, type ZoomView } from '../../compare/zoom.ts';
import { useStudio } from '../../store/index.ts';
import type { PickChoice } from '../../store/compare-slice.ts';
import { Icon } from '../Icon.tsx';
import { Modal } from '../power/Modal.tsx';
import { useZoomKeys, ZoomControls } from './CompareView.tsx';
import { PickResults } from './PickResults.tsx';
import { ZoomStage } from './ZoomStage.tsx';

const KEYS: Record<string, PickChoice | 'undo'> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowDown: 'skip',
  s: 'skip',
  S: 'skip',
  Backspace: 'undo',
};

/** What differs between the two, in a few words under each image (seed, size, format, model). */
function differences(a: AssetRow, b: AssetRow): [string, string] {
  const parts: [string[], string[]] = [[], []];
  const add = (x: unknown, y: unknown, show: (v: unknown) => string) => {
    if (x === y) return;
    parts[0].push(show(x));
    parts[1].push(show(y));
  };
  add(a.seed, b.seed, (v) => `seed ${v ?? '—'}`);
  add(a.aspectRatio ?? a.imageSize, b.aspectRatio ?? b.imageSize, (v) => String(v ?? '—'));
  add(a.format, b.format, (v) => String(v).toUpperCase());
  add(a.model, b.model, (v) => String(v ?? '—').replace(/^qwen\//, ''));
  return [parts[0].join(' · '), parts[1].join(' · ')];
}

function Choosing() {
  const { t } = useTranslation();
  const { pick, choose, undo } = useStudio(
    useShallow((s) => ({ pick: s.pick!, choose: s.choosePick, undo: s.undoPick })),
  );
  const [view, setViewState] = useState<ZoomView>(FIT);
  const setView = useCallback((f: ZoomView | ((v: ZoomView) => ZoomView)) => setViewState(f), []);
  const onView = useCallback((v: ZoomView) => setViewState(v), []);
  useZoomKeys(setView, false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || e.repeat) return;
      if ((e.target as HTMLElement | null)?.closest('input, textarea, select')) return;
      const what = KEYS[e.key];
      if (!what) return;
      e.preventDefault();
      if (what === 'undo') void undo();
      else void choose(what);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [choose, undo]);

  const pair = pick.pair;
  if (!pair) {
    return (
      <p className="muted">
        <span className="spinner" aria-hidden="true" /> {t('common.loading')}
      </p>
    );
  }
  const busy = pick.status !== 'choosing';
  const [leftNote, rightNote] = differences(pair.left, pair.right);
  return (
    <div className="pick" aria-busy={busy}>
      <div className="compare__toolbar">
        <p className="pick__progress" role="status">
          {t('pick.progress', { done: pair.done + 1, total: pair.total })}
        </p>
        <progress className="pick__bar" max={pair.total} value={pair.done} aria-hidden="true" />
        <ZoomControls view={view} setView={setView} />
      </div>
      <p className="pick__question">{t('pick.question')}</p>
      <ZoomStage
        assets={[pair.left, pair.right]}
        labels={[t('pick.left'), t('pick.right')]}
        mode="side"
        view={view}
        onView={onView}
        position={50}
        onPosition={() => {}}
      />
      <div className="pick__notes" aria-hidden={!leftNote}>
        <span>{leftNote}</span>
        <span>{rightNote}</span>
      </div>
      <div className="pick__actions">
        <button
          type="button"
          className="btn btn--primary"
          disabled={busy}
          onClick={() => void choose('left')}
        >
          <Icon name="left" /> {t('pick.chooseLeft')} <kbd className="kbd kbd--on-accent">←</kbd>
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => void choose('skip')}>
          {t('pick.skip')} <kbd className="kbd">↓</kbd>
        </button>
        <button
          type="button"
          className="btn btn--ghost"
          disabled={busy || pick.shown.length === 0}
          onClick={() => void undo()}
        >
          <Icon name="retry" /> {t('pick.undo')} <kbd className="kbd">⌫</kbd>
        </button>
        <button
          type="button"
          className="btn btn--primary"
          disabled={busy}
          onClick={() => void choose('right')}
        >
          {t('pick.chooseRight')} <kbd className="kbd kbd--on-accent">→</kbd> <Icon name="right" />
        </button>
      </div>
      <p className="hint pick__keys">{t('pick.keys')}</p>
    </div>
  );
}

export function PickBestView() {
  const { t } = useTranslation();
  const { active, done, stop, closePick } = useStudio(
    useShallow((s) => ({
      active: s.pick !== null,
      done: s.pick?.status === 'done',
      stop: s.stopPick,
      closePick: s.closePick,
    })),
  );
  // Escape stops a round (its results show); on the results it closes.
  const onClose = useCallback(() => {
    if (useStudio.getState().pick?.status === 'done') closePick();
    else stop();
  }, [stop, closePick]);
  if (!active) return null;
  return (
    <Modal title={done ? t('pick.resultsTitle') : t('pick.title')} onClose={onClose} full>
      {done ? <PickResults /> : <Choosing />}
    </Modal>
  );
}
