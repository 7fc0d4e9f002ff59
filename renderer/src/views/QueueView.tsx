// Queue: every batch with its progress, the queue-wide controls, and why the queue is waiting if it is.
import { useShallow } from 'zustand/react/shallow';
import { BatchCard } from '../components/BatchCard.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { Icon } from '../components/Icon.tsx';
import { QueueBanner } from '../components/QueueBanner.tsx';
import { useStudio } from '../store/index.ts';
import { ViewHeader } from './ViewHeader.tsx';

export function QueueView() {
  const { batches, queue, loaded, act, setArea } = useStudio(
    useShallow((s) => ({
      batches: s.batches,
      queue: s.queue,
      loaded: s.queueLoaded,
      act: s.queueAction,
      setArea: s.setArea,
    })),
  );
  const active = batches.filter((b) => b.status === 'active' || b.status === 'paused').length;
  return (
    <main className="view view--queue" aria-labelledby="view-title">
      <ViewHeader
        title="Queue"
        subtitle={
          queue
            ? `${queue.inFlight} generating now · up to ${queue.limit} at once${active ? ` · ${active} batch${active === 1 ? '' : 'es'} open` : ''}`
            : undefined
        }
      >
        {queue?.paused ? (
          <button type="button" className="btn btn--primary" onClick={() => void act('resume')}>
            <Icon name="play" /> Resume queue
          </button>
        ) : (
          <button type="button" className="btn" onClick={() => void act('pause')} disabled={!queue}>
            <Icon name="pause" /> Pause queue
          </button>
        )}
      </ViewHeader>
      <QueueBanner />
      {!loaded ? (
        <p className="muted">
          <span className="spinner" aria-hidden="true" /> Reading the queue…
        </p>
      ) : batches.length === 0 ? (
        <EmptyState
          icon="queue"
          title="Nothing in the queue"
          action={
            <button type="button" className="btn btn--primary" onClick={() => setArea('compose')}>
              <Icon name="compose" /> Compose a batch
            </button>
          }
        >
          Batches you run appear here with their progress; you can pause, cancel or retry any of them.
        </EmptyState>
      ) : (
        <div className="batches">
          {batches.map((b) => (
            <BatchCard key={b.id} batch={b} />
          ))}
        </div>
      )}
    </main>
  );
}
