import { useShallow } from 'zustand/react/shallow';
import { modKey } from '../keyboard.ts';
import { AREAS, type Area } from '../store/app-slice.ts';
import { useStudio } from '../store/index.ts';
import { Icon } from './Icon.tsx';

const LABELS: Record<Area, string> = {
  compose: 'Compose',
  queue: 'Queue',
  library: 'Library',
  settings: 'Settings',
};

export function Sidebar() {
  const { area, setArea, simulator, queue, activeJobs, connection } = useStudio(
    useShallow((s) => ({
      area: s.area,
      setArea: s.setArea,
      simulator: s.info?.simulator ?? false,
      queue: s.queue,
      activeJobs: s.batches.reduce(
        (n, b) =>
          n +
          (b.status === 'active'
            ? b.counts.queued + b.counts.submitting + b.counts.running + b.counts.downloading
            : 0),
        0,
      ),
      connection: s.connection,
    })),
  );
  const status =
    connection === 'closed'
      ? { tone: 'danger', text: 'Engine unreachable' }
      : queue?.paused
        ? { tone: 'warning', text: 'Queue paused' }
        : queue?.offline
          ? { tone: 'warning', text: 'Service offline' }
          : activeJobs > 0
            ? { tone: 'active', text: `${queue?.inFlight ?? 0} generating · ${activeJobs} to go` }
            : { tone: 'idle', text: 'Queue idle' };
  return (
    <div className="sidebar">
      <div className="brand">
        <span className="brand__mark" aria-hidden="true" />
        Qwen Studio
      </div>
      <nav aria-label="Areas">
        <ul className="nav">
          {AREAS.map((a, i) => (
            <li key={a}>
              <button
                type="button"
                className="nav__item"
                aria-current={area === a ? 'page' : undefined}
                aria-keyshortcuts={`Control+${i + 1} Meta+${i + 1}`}
                onClick={() => setArea(a)}
              >
                <Icon name={a} size={18} />
                <span className="nav__label">{LABELS[a]}</span>
                {a === 'queue' && activeJobs > 0 ? <span className="nav__count">{activeJobs}</span> : null}
                <kbd className="kbd">
                  {modKey()}
                  {i + 1}
                </kbd>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar__foot">
        {simulator ? (
          <p className="sim-badge" role="status">
            <Icon name="spark" />
            <span>Simulator mode — images are generated locally</span>
          </p>
        ) : null}
        <p className={`queue-pill queue-pill--${status.tone}`} aria-live="polite">
          <span className="dot" aria-hidden="true" />
          {status.text}
        </p>
      </div>
    </div>
  );
}
