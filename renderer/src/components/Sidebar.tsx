import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { num } from '../format.ts';
import { modKey } from '../keyboard.ts';
import { AREAS } from '../store/app-slice.ts';
import { useStudio } from '../store/index.ts';
import { activeJobCount, summarizeQueue, type QueueSummary } from '../store/queue-summary.ts';
import { Icon } from './Icon.tsx';

function statusText(t: TFunction, s: QueueSummary): string {
  switch (s.key) {
    case 'generating':
      return t('sidebar.generating', { inFlight: num(s.inFlight), toGo: num(s.toGo) });
    case 'waitingPaused':
      return t('sidebar.waitingPaused', { count: s.waiting });
    default:
      return t(`sidebar.${s.key}`);
  }
}

export function Sidebar() {
  const { t } = useTranslation();
  const { area, setArea, simulator, connection, queue, batches } = useStudio(
    useShallow((s) => ({
      area: s.area,
      setArea: s.setArea,
      simulator: s.info?.simulator ?? false,
      connection: s.connection,
      queue: s.queue,
      batches: s.batches,
    })),
  );
  const status = summarizeQueue(connection, queue, batches);
  const activeJobs = activeJobCount(batches);
  return (
    <div className="sidebar">
      <div className="brand">
        <span className="brand__mark" aria-hidden="true" />
        Qwen Studio
      </div>
      <nav aria-label={t('sidebar.areas')}>
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
                <span className="nav__label">{t(`area.${a}`)}</span>
                {a === 'queue' && activeJobs > 0 ? (
                  <span className="nav__count">{num(activeJobs)}</span>
                ) : null}
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
            <span>{t('sidebar.simulator')}</span>
          </p>
        ) : null}
        <p className={`queue-pill queue-pill--${status.tone}`} aria-live="polite">
          <span className="dot" aria-hidden="true" />
          {statusText(t, status)}
        </p>
      </div>
    </div>
  );
}
