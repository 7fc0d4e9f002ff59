// The jobs of one batch: a virtualized table (a batch may hold thousands) with the actions each state allows.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useShallow } from 'zustand/react/shallow';
import type { JobRow } from '../../../shared/domain.ts';
import { api } from '../api.ts';
import type { JobActionKind } from '../store/queue-slice.ts';
import { useStudio } from '../store/index.ts';
import { JobEditButton } from './power/JobEditDialog.tsx';
import { Icon, type IconName } from './Icon.tsx';
import { JobStateBadge } from './StateBadge.tsx';
import { virtualRowStyle } from './virtual-row.ts';

const ROW = 52;

type ActionLabel = 'pause' | 'resume' | 'cancel' | 'retry' | 'sendAgain' | 'drop';
const ACTIONS: Partial<
  Record<JobRow['state'], { kind: JobActionKind; label: ActionLabel; icon: IconName }[]>
> = {
  queued: [
    { kind: 'pause', label: 'pause', icon: 'pause' },
    { kind: 'cancel', label: 'cancel', icon: 'x' },
  ],
  paused: [
    { kind: 'resume', label: 'resume', icon: 'play' },
    { kind: 'cancel', label: 'cancel', icon: 'x' },
  ],
  failed: [
    { kind: 'retry', label: 'retry', icon: 'retry' },
    { kind: 'cancel', label: 'cancel', icon: 'x' },
  ],
  canceled: [{ kind: 'retry', label: 'retry', icon: 'retry' }],
  uncertain: [
    { kind: 'retry', label: 'sendAgain', icon: 'retry' },
    { kind: 'drop', label: 'drop', icon: 'x' },
  ],
};

function detail(t: TFunction, j: JobRow): string {
  if (j.errorMessage) return j.errorMessage;
  if (j.state === 'done') return j.credits !== null ? t('jobs.credits', { count: j.credits }) : '';
  if (j.state === 'uncertain') return t('jobs.uncertain');
  if (j.attempts > 1 && j.state === 'queued') return t('jobs.retrying', { attempt: j.attempts + 1 });
  return '';
}

/**
 * A finished job's images as small thumbnails (the Library's own thumbnails, made on demand). Each is a button
 * that opens its image in the Library: the batch's images, that one selected with its details open.
 */
function JobThumbs({ batchId, seq, ids }: { batchId: number; seq: number; ids: number[] | undefined }) {
  const { t } = useTranslation();
  const open = useStudio((s) => s.openBatchImages);
  return (
    <span role="cell" className="jobs__thumbs">
      {(ids ?? []).map((id, i) => (
        <button
          key={id}
          type="button"
          className="jobs__thumb-btn"
          aria-label={t('jobs.openImage', { n: i + 1, seq })}
          title={t('batch.openInLibrary')}
          onClick={() => open(batchId, id)}
        >
          <img
            className="jobs__thumb"
            src={api.mediaUrl('thumb', id)}
            alt={t('jobs.imageAlt', { n: i + 1, seq })}
            decoding="async"
            draggable={false}
            // A file gone from the disk shows nothing rather than a broken picture (nor a button to it).
            onError={(e) => {
              e.currentTarget.parentElement!.hidden = true;
            }}
          />
        </button>
      ))}
    </span>
  );
}

export function JobTable({ batchId }: { batchId: number }) {
  const { t } = useTranslation();
  const { list, images, act, held } = useStudio(
    useShallow((s) => ({
      list: s.jobs[batchId],
      images: s.jobImages[batchId],
      act: s.jobAction,
      held: Boolean(s.queue?.paused) || s.batches.find((b) => b.id === batchId)?.status === 'paused',
    })),
  );
  const scroller = useRef<HTMLDivElement>(null);
  const rows = list?.rows ?? [];
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 10,
  });

  if (!list || (list.loading && rows.length === 0)) {
    return (
      <p className="muted table-note">
        <span className="spinner" aria-hidden="true" /> {t('jobs.loading')}
      </p>
    );
  }
  if (list.error)
    return <p className="field__error table-note">{t('jobs.loadFailed', { error: list.error })}</p>;

  return (
    <div className="jobs" role="table" aria-label={t('jobs.table')} aria-rowcount={rows.length + 1}>
      <div className="jobs__row jobs__row--head" role="row" aria-rowindex={1}>
        <span role="columnheader">#</span>
        <span role="columnheader">{t('jobs.state')}</span>
        <span role="columnheader">{t('jobs.images')}</span>
        <span role="columnheader">{t('jobs.prompt')}</span>
        <span role="columnheader">{t('jobs.details')}</span>
        <span role="columnheader" className="jobs__actions-head">
          {t('jobs.actions')}
        </span>
      </div>
      <div className="jobs__body" ref={scroller} role="rowgroup">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const j = rows[item.index]!;
            const d = detail(t, j);
            return (
              <div
                key={j.id}
                className={`jobs__row jobs__row--${j.state}`}
                role="row"
                aria-rowindex={item.index + 2}
                style={virtualRowStyle(item.start, ROW)}
              >
                <span role="cell" className="jobs__seq">
                  {j.seq}
                </span>
                <span role="cell">
                  <JobStateBadge state={j.state} held={held} />
                </span>
                <JobThumbs batchId={batchId} seq={j.seq} ids={images?.[j.id]} />
                <span role="cell" className="jobs__prompt" title={j.prompt}>
                  {j.prompt}
                </span>
                <span
                  role="cell"
                  className={`jobs__detail${j.errorMessage ? ' jobs__detail--error' : ''}`}
                  title={d}
                >
                  {d}
                </span>
                <span role="cell" className="jobs__actions">
                  {(ACTIONS[j.state] ?? []).map((a) => (
                    <button
                      key={a.kind}
                      type="button"
                      className="icon-btn"
                      aria-label={t(`jobs.action.${a.label}`, { seq: j.seq })}
                      title={t(`jobs.actionTitle.${a.label}`)}
                      onClick={() => void act(a.kind, j.id)}
                    >
                      <Icon name={a.icon} size={15} />
                    </button>
                  ))}
                  <JobEditButton job={j} />
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
