// A modal dialog: a titled panel over a dimmed page; Escape or the close button closes it, focus starts
// inside it and returns to what opened it.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { Icon } from '../Icon.tsx';

export function Modal(props: {
  title: string;
  onClose: () => void;
  wide?: boolean;
  /** The whole window (the compare view). */
  full?: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const id = useId();
  const panel = useRef<HTMLDivElement>(null);
  const { onClose } = props;
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    panel.current?.querySelector<HTMLElement>('input, textarea, select, button')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      before?.focus?.();
    };
  }, [onClose]);
  // In a portal: a dialog opened from a virtualized (transformed) row must not be clipped or placed by it.
  return createPortal(
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={panel}
        className={`modal card${props.wide ? ' modal--wide' : ''}${props.full ? ' modal--full' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
      >
        <div className="card__head">
          <h2 id={id} className="card__title">
            {props.title}
          </h2>
          <button type="button" className="icon-btn" aria-label={t('power.sweep.close')} onClick={onClose}>
            <Icon name="x" />
          </button>
        </div>
        {props.children}
      </div>
    </div>,
    document.body,
  );
}
