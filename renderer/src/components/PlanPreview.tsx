// The jobs the draft expands to, exactly as the engine will enqueue them, in a virtualized list.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PlannedJob } from '../../../shared/domain.ts';
import { count, credits, sizeLabel } from '../format.ts';
import { useStudio } from '../store/index.ts';
import { Icon } from './Icon.tsx';
import { virtualRowStyle } from './virtual-row.ts';

const ROW = 44;

function JobLine({ job, randomSeed }: { job: PlannedJob; randomSeed: boolean }) {
  const refCount = job.refHashes.length + (job.input.image_urls?.length ?? 0);
  return (
    <>
      <span className="plan-row__seq">#{job.seq}</span>
      <span className="plan-row__prompt" title={job.input.prompt}>
        {job.input.prompt}
      </span>
      <span className="plan-row__chips">
        <span className="chip">{randomSeed ? 'random seed' : `seed ${job.input.seed}`}</span>
        <span className="chip">{sizeLabel(job.input).split(' · ')[0]}</span>
        {job.numImages > 1 ? <span className="chip">×{job.numImages}</span> : null}
        {refCount ? <span className="chip">{count(refCount, 'ref')}</span> : null}
      </span>
    </>
  );
}

export function PlanPreview() {
  const { plan, randomSeed } = useStudio(
    useShallow((s) => ({ plan: s.plan, randomSeed: s.draft.seedMode === 'random' })),
  );
  const scroller = useRef<HTMLDivElement>(null);
  const jobs = plan.plan?.jobs ?? [];
  const virtual = useVirtualizer({
    count: jobs.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 8,
  });

  if (plan.status === 'invalid' || (plan.status === 'idle' && !plan.plan)) {
    return (
      <p className="muted preview-hint">{plan.message ?? 'Write a prompt to see the jobs it expands to.'}</p>
    );
  }
  if (plan.status === 'error') {
    return (
      <div className="notice notice--danger" role="alert">
        <Icon name="alert" />
        <p>{plan.message}</p>
      </div>
    );
  }
  if (!plan.plan) {
    return (
      <p className="muted preview-hint" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Expanding prompts…
      </p>
    );
  }
  return (
    <div
      className={`plan-list${plan.status === 'loading' ? ' is-stale' : ''}`}
      ref={scroller}
      role="list"
      aria-label="Jobs this batch will run"
      aria-busy={plan.status === 'loading'}
    >
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((item) => (
          <div key={item.key} role="listitem" className="plan-row" style={virtualRowStyle(item.start, ROW)}>
            <JobLine job={jobs[item.index]!} randomSeed={randomSeed} />
          </div>
        ))}
      </div>
    </div>
  );
}

/** How the credit estimate was made, for the preview's header. */
export function PlanNote() {
  const plan = useStudio((s) => s.plan.plan);
  if (!plan) return null;
  return (
    <span className="muted plan-note">
      {credits(plan.creditsPerImage)} credits per image ·{' '}
      {plan.estimateIsLearned
        ? 'learned from your recent generations'
        : 'a first guess until real usage is known'}
    </span>
  );
}
