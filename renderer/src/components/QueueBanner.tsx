// Why the queue is not running, and the one action that fixes it.
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { duration } from '../format.ts';
import { useStudio } from '../store/index.ts';
import { Icon } from './Icon.tsx';

export function QueueBanner() {
  const { t } = useTranslation();
  const { queue, hasKey, connection, setArea } = useStudio(
    useShallow((s) => ({
      queue: s.queue,
      hasKey: s.info?.hasKey ?? false,
      connection: s.connection,
      setArea: s.setArea,
    })),
  );
  const settingsButton = (
    <button type="button" className="btn btn--sm" onClick={() => setArea('settings')}>
      <Icon name="settings" /> {t('banner.openSettings')}
    </button>
  );
  if (connection === 'closed') {
    return (
      <div className="banner banner--danger" role="alert">
        <Icon name="wifi" size={20} />
        <div className="banner__body">
          <p className="banner__title">{t('banner.lostTitle')}</p>
          <p>{t('banner.lostText')}</p>
        </div>
      </div>
    );
  }
  if (!hasKey) {
    return (
      <div className="banner banner--warning" role="status">
        <Icon name="key" size={20} />
        <div className="banner__body">
          <p className="banner__title">{t('banner.noKeyTitle')}</p>
          <p>{t('banner.noKeyText')}</p>
        </div>
        {settingsButton}
      </div>
    );
  }
  if (!queue) return null;
  if (queue.paused) {
    const reason = queue.pauseReason ?? 'user';
    const tone = reason === 'user' ? 'info' : reason === 'crash' ? 'warning' : 'danger';
    return (
      <div
        className={`banner banner--${tone}`}
        role={tone === 'danger' ? 'alert' : 'status'}
        data-reason={reason}
      >
        <Icon name={reason === 'user' ? 'pause' : 'alert'} size={20} />
        <div className="banner__body">
          <p className="banner__title">{t(`banner.pause.${reason}.title`)}</p>
          {queue.pauseMessage && reason !== 'user' ? (
            <p className="banner__detail">{queue.pauseMessage}</p>
          ) : null}
          <p>{t(`banner.pause.${reason}.advice`)}</p>
        </div>
        {/* Resume is the view's own header button; the banner offers what fixes the cause. */}
        {reason === 'auth' || reason === 'forbidden' ? settingsButton : null}
        {reason === 'credits' ? (
          <a className="btn btn--sm" href="https://skills.video" target="_blank" rel="noopener noreferrer">
            {t('banner.openSkills')}
          </a>
        ) : null}
      </div>
    );
  }
  if (queue.offline) {
    return (
      <div className="banner banner--warning" role="status">
        <Icon name="wifi" size={20} />
        <div className="banner__body">
          <p className="banner__title">{t('banner.offlineTitle')}</p>
          <p>{t('banner.offlineText')}</p>
        </div>
        {settingsButton}
      </div>
    );
  }
  if (queue.holdUntil) {
    return (
      <div className="banner banner--info" role="status">
        <Icon name="pause" size={20} />
        <div className="banner__body">
          <p className="banner__title">{t('banner.slowTitle')}</p>
          <p>
            {t('banner.slowText', {
              duration: duration(Math.max(1, Math.round((queue.holdUntil - Date.now()) / 1000))),
            })}
          </p>
        </div>
      </div>
    );
  }
  return null;
}
