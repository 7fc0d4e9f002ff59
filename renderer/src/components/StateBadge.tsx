import type { BatchStatus, JobState } from '../../../shared/domain.ts';

const JOB_LABELS: Record<JobState, string> = {
  queued: 'Queued',
  paused: 'Paused',
  submitting: 'Submitting',
  running: 'Running',
  downloading: 'Saving',
  done: 'Done',
  failed: 'Failed',
  canceled: 'Canceled',
  uncertain: 'Uncertain',
};

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

export function JobStateBadge({ state }: { state: JobState }) {
  return <span className={`badge badge--${JOB_TONES[state]}`}>{JOB_LABELS[state]}</span>;
}

const BATCH_LABELS: Record<BatchStatus, string> = {
  active: 'Active',
  paused: 'Paused',
  canceled: 'Canceled',
  done: 'Finished',
};
const BATCH_TONES: Record<BatchStatus, string> = {
  active: 'active',
  paused: 'warning',
  canceled: 'muted',
  done: 'success',
};

export function BatchStatusBadge({ status }: { status: BatchStatus }) {
  return <span className={`badge badge--${BATCH_TONES[status]}`}>{BATCH_LABELS[status]}</span>;
}
