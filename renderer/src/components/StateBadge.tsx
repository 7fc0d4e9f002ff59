import { useTranslation } from 'react-i18next';
import type { BatchStatus, JobState } from '../../../shared/domain.ts';

const JOB_TONES: Record<JobState, string> = {
  queued: 'neutral',
  paused: 'warning',
  submitting: 'active',
  running: 'active',
  downloading: 'active',
  done: 'success',
  failed: 'danger',
  canceled: 'muted',
  uncertain: 'warning',
};

/** A job's state; a queued job of a paused batch (or of a paused queue) is held, not about to run. */
export function JobStateBadge({ state, held = false }: { state: JobState; held?: boolean }) {
  const { t } = useTranslation();
  if (held && state === 'queued') return <span className="badge badge--warning">{t('jobState.held')}</span>;
  return <span className={`badge badge--${JOB_TONES[state]}`}>{t(`jobState.${state}`)}</span>;
}

const BATCH_TONES: Record<BatchStatus, string> = {
  active: 'active',
  paused: 'warning',
  canceled: 'muted',
  done: 'success',
};

/** A batch's status; an active batch while the whole queue is paused (a refused key, no credits) is on hold. */
export function BatchStatusBadge({
  status,
  queuePaused = false,
}: {
  status: BatchStatus;
  queuePaused?: boolean;
}) {
  const { t } = useTranslation();
  if (status === 'active' && queuePaused)
    return <span className="badge badge--warning">{t('batchStatus.held')}</span>;
  return <span className={`badge badge--${BATCH_TONES[status]}`}>{t(`batchStatus.${status}`)}</span>;
}
