import { useTranslation } from 'react-i18next';
import type { BatchSummary } from '../../../shared/domain.ts';

/** Done, failed and in-progress segments of a batch, with the same numbers for assistive technology. */
export function ProgressBar({ batch }: { batch: BatchSummary }) {
  const { t } = useTranslation();
  const c = batch.counts;
  const total = Math.max(batch.total, 1);
  const active = c.submitting + c.running + c.downloading;
  const finished = c.done + c.failed + c.canceled;
  const pct = (n: number) => `${(n / total) * 100}%`;
  const text = [
    t('batch.doneOf', { done: c.done, total: batch.total }),
    ...(c.failed ? [t('batch.failed', { count: c.failed })] : []),
    ...(active ? [t('batch.running', { count: active })] : []),
  ].join(t('common.listSep'));
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={t('batch.progress', { name: batch.name })}
      aria-valuemin={0}
      aria-valuemax={batch.total}
      aria-valuenow={finished}
      aria-valuetext={text}
    >
      <span className="progress__seg progress__seg--done" style={{ width: pct(c.done) }} />
      <span className="progress__seg progress__seg--failed" style={{ width: pct(c.failed) }} />
      <span className="progress__seg progress__seg--canceled" style={{ width: pct(c.canceled) }} />
      <span className="progress__seg progress__seg--running" style={{ width: pct(active) }} />
    </div>
  );
}
