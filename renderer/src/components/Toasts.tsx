import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../store/index.ts';
import { Icon } from './Icon.tsx';

export function Toasts() {
  const { t: tr } = useTranslation();
  const { toasts, dismiss, hold, release } = useStudio(
    useShallow((s) => ({
      toasts: s.toasts,
      dismiss: s.dismissToast,
      hold: s.holdToast,
      release: s.releaseToast,
    })),
  );
  return (
    <section className="toasts" aria-label={tr('toast.region')}>
      {toasts.map((t) => (
        // Its time stops while the person points at it or is inside it (an Undo must not vanish under them).
        <div
          key={t.id}
          className={`toast toast--${t.kind}`}
          role={t.kind === 'error' ? 'alert' : 'status'}
          onMouseEnter={() => hold(t.id)}
          onMouseLeave={() => release(t.id)}
          onFocus={() => hold(t.id)}
          onBlur={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget)) release(t.id);
          }}
        >
          <Icon name={t.kind === 'error' ? 'alert' : t.kind === 'success' ? 'check' : 'spark'} />
          <p>{t.message}</p>
          {t.action ? (
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              onClick={() => {
                t.action!.run();
                dismiss(t.id);
              }}
            >
              {t.action.label}
            </button>
          ) : null}
          <button
            type="button"
            className="icon-btn"
            aria-label={tr('toast.dismiss')}
            onClick={() => dismiss(t.id)}
          >
            <Icon name="x" size={14} />
          </button>
        </div>
      ))}
    </section>
  );
}
