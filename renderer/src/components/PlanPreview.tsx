// The jobs the draft expands to, exactly as the engine will enqueue them, in a virtualized list.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { PlannedJob } from '../../../shared/domain.ts';
import { api } from '../api.ts';
import { credits, sizeLabel } from '../format.ts';
import { useStudio } from '../store/index.ts';
import { Icon } from './Icon.tsx';
import { virtualRowStyle } from './virtual-row.ts';

const ROW = 44;

function JobLine({
  t,
  job,
  randomSeed,
  refNames,
}: {
  t: TFunction;
  job: PlannedJob;
  randomSeed: boolean;
  refNames: ReadonlyMap<string, string>;
}) {
  const refCount = job.refHashes.length + (job.input.image_urls?.length ?? 0);
  return (
    <>
      <span className="plan-row__seq">#{job.seq}</span>
      <span className="plan-row__prompt" title={job.input.prompt}>
        {job.input.prompt}
      </span>
      <span className="plan-row__chips">
        <span className="chip">
          {randomSeed ? t('plan.randomSeed') : t('plan.seed', { seed: job.input.seed })}
        </span>
        <span className="chip">{sizeLabel(job.input).split(' · ')[0]}</span>
        {job.numImages > 1 ? <span className="chip">×{job.numImages}</span> : null}
        {job.refHashes.length ? (
          <span className="plan-row__refs">
            {job.refHashes.map((h) => (
              <img
                key={h}
                className="plan-row__ref"
                src={api.mediaUrl('ref', h)}
                alt={refNames.get(h) ?? t('plan.refImage')}
                title={refNames.get(h)}
              />
            ))}
          </span>
        ) : null}
        {refCount ? <span className="chip">{t('plan.refs', { count: refCount })}</span> : null}
      </span>
    </>
  );
}

export function PlanPreview() {
  const { t } = useTranslation();
  const { plan, randomSeed, file, refs } = useStudio(
    useShallow((s) => ({
      plan: s.plan,
      randomSeed: s.draft.seedMode === 'random',
      file: s.draft.file,
      refs: s.draft.refs,
    })),
  );
  // Each reference image's file name, for its thumbnail's alternative text.
  const refNames = new Map<string, string>(
    [...refs, ...Object.values(file?.refFiles ?? {})].map((r) => [r.sha256, r.fileName]),
  );
  // A random seed is drawn again when the batch is created, so the preview does not show one; a seed a
  // prompt file's row sets is sent as it is, so it is shown.
  const ownSeed = new Set(
    (file?.entries ?? []).filter((e) => e.params?.seed !== undefined).map((e) => e.origin),
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
    return <p className="muted preview-hint">{plan.message ?? t('plan.empty')}</p>;
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
        <span className="spinner" aria-hidden="true" /> {t('plan.expanding')}
      </p>
    );
  }
  const lastShown = virtual.range?.endIndex ?? jobs.length - 1;
  const more = Math.max(0, jobs.length - 1 - lastShown);
  return (
    <>
      <div
        className={`plan-list${plan.status === 'loading' ? ' is-stale' : ''}`}
        ref={scroller}
        role="list"
        aria-label={t('plan.list')}
        aria-busy={plan.status === 'loading'}
      >
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const job = jobs[item.index]!;
            return (
              <div
                key={item.key}
                role="listitem"
                className="plan-row"
                style={virtualRowStyle(item.start, ROW)}
              >
                <JobLine
                  t={t}
                  job={job}
                  randomSeed={randomSeed && !ownSeed.has(job.origin)}
                  refNames={refNames}
                />
              </div>
            );
          })}
        </div>
      </div>
      {more > 0 ? <p className="plan-more muted">{t('plan.more', { count: more })}</p> : null}
    </>
  );
}

/** How the credit estimate was made, for the preview's header. */
export function PlanNote() {
  const { t } = useTranslation();
  const plan = useStudio((s) => s.plan.plan);
  if (!plan) return null;
  return (
    <span className="muted plan-note">
      {t('plan.perImage', { credits: credits(plan.creditsPerImage) })} ·{' '}
      {plan.estimateIsLearned ? t('plan.learned') : t('plan.guess')}
    </span>
  );
}
