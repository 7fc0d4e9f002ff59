// The jobs of one batch: a virtualized table (a batch may hold thousands) with the actions each state allows.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { JobRow } from '../../../shared/domain.ts';
import type { JobActionKind } from '../store/queue-slice.ts';
import { useStudio } from '../store/index.ts';
import { Icon, type IconName } from './Icon.tsx';
import { JobStateBadge } from './StateBadge.tsx';
import { virtualRowStyle } from './virtual-row.ts';

const ROW = 52;

const ACTIONS: Partial<Record<JobRow['state'], { kind: JobActionKind; label: string; icon: IconName }[]>> = {
  queued: [
    { kind: 'pause', label: 'Pause', icon: 'pause' },
    { kind: 'cancel', label: 'Cancel', icon: 'x' },
  ],
  paused: [
    { kind: 'resume', label: 'Resume', icon: 'play' },
    { kind: 'cancel', label: 'Cancel', icon: 'x' },
  ],
  failed: [
    { kind: 'retry', label: 'Retry', icon: 'retry' },
    { kind: 'cancel', label: 'Cancel', icon: 'x' },
  ],
  canceled: [{ kind: 'retry', label: 'Retry', icon: 'retry' }],
  uncertain: [
    { kind: 'retry', label: 'Send again (may be charged twice)', icon: 'retry' },
    { kind: 'drop', label: 'Drop', icon: 'x' },
  ],
};

function detail(j: JobRow): string {
  if (j.errorMessage) return j.errorMessage;
  if (j.state === 'done') return j.credits !== null ? `${j.credits} credits` : '';
  if (j.state === 'uncertain') return 'The service may have received this request; its answer was lost.';
  if (j.attempts > 1 && j.state === 'queued') return `Retrying (attempt ${j.attempts + 1})`;
  return '';
}

export function JobTable({ batchId }: { batchId: number }) {
  const { list, act } = useStudio(useShallow((s) => ({ list: s.jobs[batchId], act: s.jobAction })));
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
        <span className="spinner" aria-hidden="true" /> Loading jobs…
      </p>
    );
  }
  if (list.error)
    return <p className="field__error table-note">The jobs could not be loaded: {list.error}</p>;

  return (
    <div className="jobs" role="table" aria-label="Jobs" aria-rowcount={rows.length + 1}>
      <div className="jobs__row jobs__row--head" role="row" aria-rowindex={1}>
        <span role="columnheader">#</span>
        <span role="columnheader">State</span>
        <span role="columnheader">Prompt</span>
        <span role="columnheader">Details</span>
        <span role="columnheader" className="jobs__actions-head">
          Actions
        </span>
      </div>
      <div className="jobs__body" ref={scroller} role="rowgroup">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const j = rows[item.index]!;
            const d = detail(j);
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
                  <JobStateBadge state={j.state} />
                </span>
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
                      aria-label={`${a.label} job ${j.seq}`}
                      title={a.label}
                      onClick={() => void act(a.kind, j.id)}
                    >
                      <Icon name={a.icon} size={15} />
                    </button>
                  ))}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
