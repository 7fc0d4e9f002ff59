// Why the queue is not running, and the one action that fixes it.
import { useShallow } from 'zustand/react/shallow';
import type { PauseReason } from '../../../shared/domain.ts';
import { useStudio } from '../store/index.ts';
import { Icon } from './Icon.tsx';

const TITLES: Record<PauseReason, string> = {
  user: 'The queue is paused',
  crash: 'The queue is paused after an unexpected stop',
  auth: 'The API key was refused',
  forbidden: 'This API key may not use the service',
  credits: 'Out of credits',
  disk: 'Images cannot be saved',
};

const ADVICE: Record<PauseReason, string> = {
  user: 'Generations already accepted by the service still finish. Nothing new is sent until you resume.',
  crash: 'Work that was in progress is being checked and finished. Resume to send the rest.',
  auth: 'Save a valid key in Settings, then resume the queue.',
  forbidden: 'Check the key’s permissions on skills.video or use another key, then resume.',
  credits: 'Top up your skills.video workspace, then resume the queue.',
  disk: 'Free some disk space or choose another data folder, then resume.',
};

export function QueueBanner() {
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
      <Icon name="settings" /> Open Settings
    </button>
  );
  if (connection === 'closed') {
    return (
      <div className="banner banner--danger" role="alert">
        <Icon name="wifi" size={20} />
        <div className="banner__body">
          <p className="banner__title">Lost contact with the studio engine</p>
          <p>Reconnecting… Progress shown here may be out of date until it is back.</p>
        </div>
      </div>
    );
  }
  if (!hasKey) {
    return (
      <div className="banner banner--warning" role="status">
        <Icon name="key" size={20} />
        <div className="banner__body">
          <p className="banner__title">No API key</p>
          <p>Batches wait in the queue until a key is saved.</p>
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
          <p className="banner__title">{TITLES[reason]}</p>
          {queue.pauseMessage && reason !== 'user' ? (
            <p className="banner__detail">{queue.pauseMessage}</p>
          ) : null}
          <p>{ADVICE[reason]}</p>
        </div>
        {/* Resume is the view's own header button; the banner offers what fixes the cause. */}
        {reason === 'auth' || reason === 'forbidden' ? settingsButton : null}
        {reason === 'credits' ? (
          <a className="btn btn--sm" href="https://skills.video" target="_blank" rel="noopener noreferrer">
            Open skills.video
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
          <p className="banner__title">The service cannot be reached</p>
          <p>
            The queue retries by itself when the connection is back. If it stays offline, check the base URL
            in Settings.
          </p>
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
          <p className="banner__title">Slowing down</p>
          <p>
            The service asked for fewer requests; submitting again shortly (
            {Math.max(1, Math.round((queue.holdUntil - Date.now()) / 1000))} s).
          </p>
        </div>
      </div>
    );
  }
  return null;
}
