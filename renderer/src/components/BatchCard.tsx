import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BatchSummary } from '../../../shared/domain.ts';
import { credits, dateTime, duration } from '../format.ts';
import { useStudio } from '../store/index.ts';
import { Icon } from './Icon.tsx';
import { JobTable } from './JobTable.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { RenameField } from './RenameField.tsx';
import { BatchStatusBadge } from './StateBadge.tsx';

function stats(b: BatchSummary, queuePaused: boolean): string[] {
  const c = b.counts;
  const active = c.submitting + c.running + c.downloading;
  const parts = [`${c.done} of ${b.total} done`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (active) parts.push(`${active} running`);
  if (c.paused) parts.push(`${c.paused} paused`);
  if (c.uncertain) parts.push(`${c.uncertain} uncertain`);
  if (c.canceled) parts.push(`${c.canceled} canceled`);
  if (b.status === 'active' && !queuePaused && b.etaSeconds !== null && b.etaSeconds > 0)
    parts.push(`about ${duration(b.etaSeconds)} left`);
  return parts;
}

export function BatchCard({ batch }: { batch: BatchSummary }) {
  const [renaming, setRenaming] = useState(false);
  const { open, toggle, act, rename, queuePaused } = useStudio(
    useShallow((s) => ({
      open: Boolean(s.expanded[batch.id]),
      toggle: s.expandBatch,
      act: s.batchAction,
      rename: s.renameBatch,
      queuePaused: s.queue?.paused ?? false,
    })),
  );
  const c = batch.counts;
  const live = batch.status === 'active' || batch.status === 'paused';
  const pauseNote =
    batch.status === 'paused' && batch.pauseReason === 'budget'
      ? `Paused at its budget of ${credits(batch.maxCredits ?? 0)} credits.`
      : null;
  const headingId = `batch-${batch.id}-title`;
  return (
    <article className={`batch batch--${batch.status}`} aria-labelledby={headingId}>
      <div className="batch__head">
        <button
          type="button"
          className="batch__toggle"
          aria-expanded={open}
          aria-controls={`batch-${batch.id}-jobs`}
          aria-label={`${open ? 'Hide' : 'Show'} jobs of ${batch.name}`}
          onClick={() => toggle(batch.id)}
        >
          <Icon name="chevron" className={open ? 'rot-90' : ''} />
        </button>
        <div className="batch__titles">
          {renaming ? (
            <RenameField
              current={batch.name}
              label={`New name for the batch ${batch.name}`}
              className="batch__rename"
              rename={(name) => rename(batch.id, name)}
              done={() => setRenaming(false)}
            />
          ) : (
            <div className="batch__name-row">
              <h2 id={headingId} className="batch__name" title={batch.name}>
                {batch.name}
              </h2>
              <button
                type="button"
                className="icon-btn batch__rename-btn"
                aria-label={`Rename ${batch.name}`}
                title="Rename"
                onClick={() => setRenaming(true)}
              >
                <Icon name="compose" size={14} />
              </button>
            </div>
          )}
          <p className="batch__meta">
            {dateTime(batch.createdAt)} · {batch.model.replace('qwen/', '')}
          </p>
        </div>
        <BatchStatusBadge status={batch.status} />
        {live || c.failed > 0 ? (
          <div className="batch__actions">
            {batch.status === 'active' ? (
              <button type="button" className="btn btn--sm" onClick={() => void act('pause', batch.id)}>
                <Icon name="pause" /> Pause
              </button>
            ) : null}
            {batch.status === 'paused' ? (
              <button type="button" className="btn btn--sm" onClick={() => void act('resume', batch.id)}>
                <Icon name="play" /> Resume
              </button>
            ) : null}
            {c.failed > 0 ? (
              <button type="button" className="btn btn--sm" onClick={() => void act('retry', batch.id)}>
                <Icon name="retry" /> Retry failed
              </button>
            ) : null}
            {live ? (
              <button
                type="button"
                className="btn btn--sm btn--ghost-danger"
                onClick={() => void act('cancel', batch.id)}
              >
                <Icon name="x" /> Cancel
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
      <ProgressBar batch={batch} />
      <div className="batch__stats">
        <span>{stats(batch, queuePaused).join(' · ')}</span>
        <span className="batch__credits">
          {live
            ? `${credits(batch.creditsSpent)} of ≈ ${credits(batch.creditsEstimate)} credits`
            : `${credits(batch.creditsSpent)} credits spent`}
          {batch.maxCredits ? ` · budget ${credits(batch.maxCredits)}` : ''}
        </span>
      </div>
      {pauseNote ? <p className="batch__note">{pauseNote}</p> : null}
      {open ? (
        <div id={`batch-${batch.id}-jobs`} className="batch__jobs">
          <JobTable batchId={batch.id} />
        </div>
      ) : null}
    </article>
  );
}
