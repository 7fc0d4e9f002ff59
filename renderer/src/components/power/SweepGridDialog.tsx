// A sweep's grid after (or during) the run: X values over the columns, Y values beside the rows, one Z value
// and one prompt at a time; rows are virtualized, so thousands of cells scroll smoothly. Exports the same
// labelled contact sheet as `qwen-studio sheet`.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BatchSummary } from '../../../../shared/domain.ts';
import {
  AXIS_NAMES,
  SWEEP_PARAM_LABELS,
  sweepValueLabel,
  type SweepAxis,
  type SweepGrid,
  type SweepGridCell,
} from '../../../../shared/sweep.ts';
import { api, errorMessage } from '../../api.ts';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';
import { Modal } from './Modal.tsx';

const CELL = 168;
const valueLabel = (axis: SweepAxis | undefined, i: number) =>
  axis ? sweepValueLabel(axis.param, axis.values[i] as string | number | boolean) : '';

export function SweepGridDialog({ batch, onClose }: { batch: BatchSummary; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useStudio((s) => s.toast);
  const startPick = useStudio((s) => s.startPick);
  const canPick = useStudio((s) => s.info?.canPickPaths ?? false);
  const [grid, setGrid] = useState<SweepGrid | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [group, setGroup] = useState(0);
  const [layer, setLayer] = useState(0);
  const batchVersion = `${batch.counts.done}/${batch.counts.failed}`;
  useEffect(() => {
    api.call('batch.sweep', { id: batch.id }).then(setGrid, (err: unknown) => setError(errorMessage(err)));
  }, [batch.id, batchVersion]);
  const [x, y, z] = grid?.axes ?? [];
  const cols = x?.values.length ?? 1;
  const rows = y?.values.length ?? 1;
  const byKey = useMemo(() => {
    const m = new Map<string, SweepGridCell>();
    for (const c of grid?.cells ?? []) m.set(`${c.group}:${c.cell.join(',')}`, c);
    return m;
  }, [grid]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => CELL + 8,
    overscan: 4,
  });
  const exportSheet = async () => {
    let out: string | undefined;
    if (!canPick) {
      const typed = window.prompt(t('power.sweep.sheetPath'));
      if (!typed) return;
      out = typed;
    }
    try {
      const r = await api.call('batch.sheet', { id: batch.id, ...(out ? { out } : {}) });
      if (r) toast('success', t('power.sweep.sheetSaved', { path: r.path }));
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };
  const head = (axis: SweepAxis | undefined, i: number) =>
    axis ? t('power.sweep.axisHead', { axis: AXIS_NAMES[i], param: SWEEP_PARAM_LABELS[axis.param] }) : '';
  return (
    <Modal title={t('power.sweep.gridTitle', { name: batch.name })} onClose={onClose} wide>
      {error ? <p className="field__error">{error}</p> : null}
      {grid ? (
        <>
          <div className="sweep-grid__bar">
            {grid.groups.length > 1 ? (
              <label className="steer__field">
                <span className="field-label">{t('power.sweep.prompt')}</span>
                <select
                  className="input select"
                  value={group}
                  onChange={(e) => setGroup(Number(e.target.value))}
                >
                  {grid.groups.map((g, i) => (
                    <option key={i} value={i}>
                      {g}
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <p className="sweep-grid__prompt">{grid.groups[0]}</p>
            )}
            {z ? (
              <div className="steer__moves" role="group" aria-label={head(z, 2)}>
                {z.values.map((_, i) => (
                  <button
                    key={i}
                    type="button"
                    className={`btn btn--sm${layer === i ? ' is-active' : ''}`}
                    aria-pressed={layer === i}
                    onClick={() => setLayer(i)}
                  >
                    {t('power.sweep.layer')}: {valueLabel(z, i)}
                  </button>
                ))}
              </div>
            ) : null}
            <button type="button" className="btn btn--sm" onClick={() => void exportSheet()}>
              <Icon name="image" /> {t('power.sweep.sheet')}
            </button>
            <button
              type="button"
              className="btn btn--sm"
              onClick={() => {
                onClose();
                void startPick({ query: `batch:#${batch.id}` });
              }}
            >
              <Icon name="trophy" /> {t('pick.start')}
            </button>
          </div>
          <div
            className="sweep-grid"
            role="table"
            aria-label={t('power.sweep.gridTitle', { name: batch.name })}
          >
            <div className="sweep-grid__row sweep-grid__head" role="row">
              <span role="columnheader" className="sweep-grid__corner">
                {[head(y, 1), head(x, 0)].filter(Boolean).join(' \\ ')}
              </span>
              {Array.from({ length: cols }, (_, i) => (
                <span key={i} role="columnheader" className="sweep-grid__label" style={{ width: CELL }}>
                  {valueLabel(x, i)}
                </span>
              ))}
            </div>
            <div className="sweep-grid__body" ref={scroller}>
              <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
                {virtual.getVirtualItems().map((item) => (
                  <div
                    key={item.index}
                    className="sweep-grid__row"
                    role="row"
                    style={{
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      transform: `translateY(${item.start}px)`,
                    }}
                  >
                    <span role="rowheader" className="sweep-grid__label sweep-grid__rowlabel">
                      {valueLabel(y, item.index)}
                    </span>
                    {Array.from({ length: cols }, (_, i) => {
                      const indices = [i, item.index, layer].slice(0, grid.axes.length);
                      const c = byKey.get(`${group}:${indices.join(',')}`);
                      const a = c?.assets[0];
                      const label = [valueLabel(x, i), valueLabel(y, item.index), valueLabel(z, layer)]
                        .filter(Boolean)
                        .join(' · ');
                      return (
                        <span
                          key={i}
                          role="cell"
                          className="sweep-grid__cell"
                          style={{ width: CELL, height: CELL }}
                        >
                          {a ? (
                            <img src={api.mediaUrl('thumb', a.id)} alt={label} title={c?.prompt} />
                          ) : (
                            <span className="muted" aria-label={label}>
                              {c ? c.state : t('power.sweep.noImage')}
                            </span>
                          )}
                        </span>
                      );
                    })}
                  </div>
                ))}
              </div>
            </div>
          </div>
        </>
      ) : (
        <span className="spinner" aria-hidden="true" />
      )}
    </Modal>
  );
}
