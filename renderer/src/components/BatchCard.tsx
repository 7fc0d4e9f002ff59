import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { isWaitingBatch, type BatchSummary } from '../../../shared/domain.ts';
import { credits, dateTime, duration, num } from '../format.ts';
import { useStudio } from '../store/index.ts';
import { Icon } from './Icon.tsx';
import { JobTable } from './JobTable.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { RenameField } from './RenameField.tsx';
import { BatchStatusBadge } from './StateBadge.tsx';
import { BatchSteer } from './power/BatchSteer.tsx';
import type { BatchDrag } from './power/batch-drag.ts';

function stats(t: TFunction, b: BatchSummary, queuePaused: boolean): string[] {
  const c = b.counts;
  const active = c.submitting + c.running + c.downloading;
  const parts = [t('batch.doneOf', { done: num(c.done), total: num(b.total) })];
  if (c.failed) parts.push(t('batch.failed', { count: c.failed }));
  if (active) parts.push(t('batch.running', { count: active }));
  if (c.paused) parts.push(t('batch.paused', { count: c.paused }));
  if (c.uncertain) parts.push(t('batch.uncertain', { count: c.uncertain }));
  if (c.canceled) parts.push(t('batch.canceled', { count: c.canceled }));
  if (b.status === 'active' && !queuePaused && b.etaSeconds !== null && b.etaSeconds > 0)
    parts.push(t('batch.eta', { duration: duration(b.etaSeconds) }));
  return parts;
}

export function BatchCard({ batch, drag }: { batch: BatchSummary; drag?: BatchDrag | null }) {
  const { t } = useTranslation();
  const [renaming, setRenaming] = useState(false);
  const { open, toggle, act, rename, queuePaused, openImages } = useStudio(
    useShallow((s) => ({
      open: Boolean(s.expanded[batch.id]),
      toggle: s.expandBatch,
      act: s.batchAction,
      rename: s.renameBatch,
      queuePaused: s.queue?.paused ?? false,
      openImages: s.openBatchImages,
    })),
  );
  const c = batch.counts;
  const live = isWaitingBatch(batch);
  const pauseNote =
    batch.status === 'paused' && batch.pauseReason === 'budget'
      ? t('batch.budgetPause', { credits: credits(batch.maxCredits ?? 0) })
      : null;
  const headingId = `batch-${batch.id}-title`;
  return (
    <article
      className={`batch batch--${batch.status}${drag?.dropSide ? ` batch--drop-${drag.dropSide}` : ''}${drag?.dragging ? ' batch--dragging' : ''}`}
      aria-labelledby={headingId}
      {...drag?.target}
    >
      <div className="batch__head">
        {drag ? (
          // The move buttons below are the keyboard's (and a screen reader's) way to do the same.
          <span className="batch__grip" title={t('power.steer.drag', { name: batch.name })} {...drag.handle}>
            <Icon name="grip" size={16} />
          </span>
        ) : null}
        <button
          type="button"
          className="batch__toggle"
          aria-expanded={open}
          aria-controls={`batch-${batch.id}-jobs`}
          aria-label={
            open ? t('batch.hideJobs', { name: batch.name }) : t('batch.showJobs', { name: batch.name })
          }
          onClick={() => toggle(batch.id)}
        >
          <Icon name="chevron" className={open ? 'rot-90' : ''} />
        </button>
        <div className="batch__titles">
          {renaming ? (
            <RenameField
              current={batch.name}
              label={t('batch.newName', { name: batch.name })}
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
                aria-label={t('batch.renameLabel', { name: batch.name })}
                title={t('common.rename')}
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
        <BatchStatusBadge status={batch.status} queuePaused={queuePaused} />
        {live || c.failed > 0 || c.done > 0 ? (
          <div className="batch__actions">
            {c.done > 0 ? (
              <button type="button" className="btn btn--sm" onClick={() => openImages(batch.id)}>
                <Icon name="image" /> {t('batch.openInLibrary')}
              </button>
            ) : null}
            {batch.status === 'active' ? (
              <button type="button" className="btn btn--sm" onClick={() => void act('pause', batch.id)}>
                <Icon name="pause" /> {t('common.pause')}
              </button>
            ) : null}
            {batch.status === 'paused' ? (
              <button type="button" className="btn btn--sm" onClick={() => void act('resume', batch.id)}>
                <Icon name="play" /> {t('common.resume')}
              </button>
            ) : null}
            {c.failed > 0 ? (
              <button type="button" className="btn btn--sm" onClick={() => void act('retry', batch.id)}>
                <Icon name="retry" /> {t('batch.retryFailed')}
              </button>
            ) : null}
            {live ? (
              <button
                type="button"
                className="btn btn--sm btn--ghost-danger"
                onClick={() => void act('cancel', batch.id)}
              >
                <Icon name="x" /> {t('common.cancel')}
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
      <ProgressBar batch={batch} />
      <div className="batch__stats">
        <span>{stats(t, batch, queuePaused).join(' · ')}</span>
        <span className="batch__credits">
          {live
            ? t('batch.creditsOf', {
                spent: credits(batch.creditsSpent),
                estimate: credits(batch.creditsEstimate),
              })
            : t('batch.creditsSpent', { spent: credits(batch.creditsSpent) })}
          {batch.maxCredits ? ` · ${t('batch.budget', { credits: credits(batch.maxCredits) })}` : ''}
        </span>
      </div>
      {pauseNote ? <p className="batch__note">{pauseNote}</p> : null}
      <BatchSteer batch={batch} />
      {open ? (
        <div id={`batch-${batch.id}-jobs`} className="batch__jobs">
          <JobTable batchId={batch.id} />
        </div>
      ) : null}
    </article>
  );
}
