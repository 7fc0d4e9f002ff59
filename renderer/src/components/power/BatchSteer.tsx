// A batch's steering row in the Queue: its place (top, up, down, bottom — the keyboard way to reorder; the
// card's grip drags it, see batch-drag.ts), its
// priority, its budget (raise it to continue a batch paused at its budget), duplicate, and a sweep's grid.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isWaitingBatch, type BatchSummary } from '../../../../shared/domain.ts';
import { api, errorMessage } from '../../api.ts';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';
import { SweepGridDialog } from './SweepGridDialog.tsx';

const MOVES = [
  ['top', 'top'],
  ['up', 'up'],
  ['down', 'down'],
  ['bottom', 'bottom'],
] as const;

export function BatchSteer({ batch }: { batch: BatchSummary }) {
  const { t } = useTranslation();
  const toast = useStudio((s) => s.toast);
  const refresh = useStudio((s) => s.refreshQueue);
  const moveBatch = useStudio((s) => s.moveBatch);
  const [budget, setBudget] = useState(batch.maxCredits === null ? '' : String(batch.maxCredits));
  const [grid, setGrid] = useState(false);
  const live = isWaitingBatch(batch);
  const run = async (fn: () => Promise<unknown>, message?: (r: never) => string) => {
    try {
      const r = await fn();
      await refresh();
      if (message) toast('success', message(r as never));
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };
  return (
    <div className="steer" role="group" aria-label={batch.name}>
      {live ? (
        <>
          <span className="steer__moves">
            {MOVES.map(([move, icon]) => (
              <button
                key={move}
                type="button"
                className="icon-btn"
                aria-label={`${t(`power.steer.${move}`)}: ${batch.name}`}
                title={t(`power.steer.${move}`)}
                onClick={() => void moveBatch(batch.id, move)}
              >
                <Icon name={icon} size={15} />
              </button>
            ))}
          </span>
          <label className="steer__field">
            <span className="field-label">{t('power.steer.priority')}</span>
            <select
              className="input select input--narrow"
              aria-label={t('power.steer.priorityLabel', { name: batch.name })}
              value={batch.priority}
              onChange={(e) =>
                void run(() => api.call('batch.priority', { id: batch.id, priority: Number(e.target.value) }))
              }
            >
              {[2, 1, 0, -1, -2].map((p) => (
                <option key={p} value={p}>
                  {t(`power.steer.p${p}`)}
                </option>
              ))}
            </select>
          </label>
          <form
            className="steer__field"
            onSubmit={(e) => {
              e.preventDefault();
              const value = budget.trim() === '' ? null : Number(budget);
              void run(
                () => api.call('batch.budget', { id: batch.id, maxCredits: value }),
                () =>
                  t('power.steer.budgetSet', {
                    name: batch.name,
                    budget: value === null ? t('power.steer.noBudget') : value,
                  }),
              );
            }}
          >
            <span className="field-label">{t('power.steer.budget')}</span>
            <input
              className="input input--narrow"
              inputMode="numeric"
              aria-label={t('power.steer.budgetLabel', { name: batch.name })}
              value={budget}
              placeholder={t('power.steer.noBudget')}
              onChange={(e) => setBudget(e.target.value)}
            />
            <button type="submit" className="btn btn--sm">
              {t('power.steer.setBudget')}
            </button>
          </form>
        </>
      ) : null}
      <button
        type="button"
        className="btn btn--sm btn--ghost"
        onClick={() =>
          void run(
            () => api.call('batch.duplicate', { id: batch.id }),
            (r: BatchSummary) => t('power.steer.duplicated', { name: r.name }),
          )
        }
      >
        <Icon name="copy" /> {t('power.steer.duplicate')}
      </button>
      {batch.sweep.length > 0 ? (
        <button type="button" className="btn btn--sm" onClick={() => setGrid(true)}>
          <Icon name="grid" /> {t('power.sweep.openGrid')}
        </button>
      ) : null}
      {grid ? <SweepGridDialog batch={batch} onClose={() => setGrid(false)} /> : null}
    </div>
  );
}
