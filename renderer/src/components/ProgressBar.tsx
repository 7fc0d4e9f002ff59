import type { BatchSummary } from '../../../shared/domain.ts';

/** Done, failed and in-progress segments of a batch, with the same numbers for assistive technology. */
export function ProgressBar({ batch }: { batch: BatchSummary }) {
  const c = batch.counts;
  const total = Math.max(batch.total, 1);
  const active = c.submitting + c.running + c.downloading;
  const finished = c.done + c.failed + c.canceled;
  const pct = (n: number) => `${(n / total) * 100}%`;
  const text = `${c.done} of ${batch.total} done${c.failed ? `, ${c.failed} failed` : ''}${active ? `, ${active} running` : ''}`;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={`Progress of ${batch.name}`}
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
