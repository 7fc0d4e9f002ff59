// Queue: every batch with its progress, the queue-wide controls, and why the queue is waiting if it is.
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { BatchCard } from '../components/BatchCard.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { Icon } from '../components/Icon.tsx';
import { QueueBanner } from '../components/QueueBanner.tsx';
import { useBatchDrag } from '../components/power/batch-drag.ts';
import { isWaitingBatch } from '../../../shared/domain.ts';
import { num } from '../format.ts';
import { useStudio } from '../store/index.ts';
import { ViewHeader } from './ViewHeader.tsx';

export function QueueView() {
  const { t } = useTranslation();
  const { batches, queue, loaded, act, setArea } = useStudio(
    useShallow((s) => ({
      batches: s.batches,
      queue: s.queue,
      loaded: s.queueLoaded,
      act: s.queueAction,
      setArea: s.setArea,
    })),
  );
  const dragFor = useBatchDrag(batches);
  const active = batches.filter(isWaitingBatch).length;
  return (
    <main className="view view--queue" aria-labelledby="view-title">
      <ViewHeader
        title={t('area.queue')}
        subtitle={
          queue
            ? [
                t('queue.inFlight', { inFlight: num(queue.inFlight), limit: num(queue.limit) }),
                ...(active ? [t('queue.openBatches', { count: active })] : []),
              ].join(' · ')
            : undefined
        }
      >
        {queue?.paused ? (
          <button type="button" className="btn btn--primary" onClick={() => void act('resume')}>
            <Icon name="play" /> {t('queue.resume')}
          </button>
        ) : (
          <button type="button" className="btn" onClick={() => void act('pause')} disabled={!queue}>
            <Icon name="pause" /> {t('queue.pause')}
          </button>
        )}
      </ViewHeader>
      <QueueBanner />
      {!loaded ? (
        <p className="muted">
          <span className="spinner" aria-hidden="true" /> {t('queue.reading')}
        </p>
      ) : batches.length === 0 ? (
        <EmptyState
          icon="queue"
          title={t('queue.emptyTitle')}
          action={
            <button type="button" className="btn btn--primary" onClick={() => setArea('compose')}>
              <Icon name="compose" /> {t('queue.composeBatch')}
            </button>
          }
        >
          {t('queue.emptyText')}
        </EmptyState>
      ) : (
        <div className="batches">
          {batches.map((b) => (
            <BatchCard key={b.id} batch={b} drag={dragFor(b)} />
          ))}
        </div>
      )}
    </main>
  );
}
