// Up to four reference images: dropped, picked or pasted; each is checked and stored by the engine, which
// also gives the reason when one is refused.
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { LIMITS } from '../../../shared/api.ts';
import { api } from '../api.ts';
import { bytes } from '../format.ts';
import { useStudio } from '../store/index.ts';
import { FilePicker } from './FilePicker.tsx';
import { Icon } from './Icon.tsx';

export const IMAGE_ACCEPT = 'image/png,image/jpeg,image/webp,image/gif';

export function ReferencePicker() {
  const { t } = useTranslation();
  const { refs, busy, error, add, remove } = useStudio(
    useShallow((s) => ({
      refs: s.draft.refs,
      busy: s.refBusy,
      error: s.refError,
      add: s.addReferenceFiles,
      remove: s.removeReference,
    })),
  );
  const input = useRef<HTMLInputElement>(null);
  const free = LIMITS.references - refs.length - busy;
  return (
    <div className="refs">
      <ul className="refs__list">
        {refs.map((r) => (
          <li key={r.sha256} className="ref">
            <img
              className="ref__img"
              src={api.mediaUrl('ref', r.sha256)}
              alt={t('refs.alt', { name: r.fileName })}
            />
            <div className="ref__meta">
              <span className="ref__name" title={r.fileName}>
                {r.fileName}
              </span>
              <span className="ref__dims">
                {r.width}×{r.height} · {bytes(r.bytes)}
              </span>
            </div>
            <button
              type="button"
              className="icon-btn ref__remove"
              aria-label={t('refs.remove', { name: r.fileName })}
              onClick={() => remove(r.sha256)}
            >
              <Icon name="x" size={14} />
            </button>
          </li>
        ))}
        {Array.from({ length: busy }, (_, i) => (
          <li key={`busy-${i}`} className="ref ref--busy" aria-live="polite">
            <span className="spinner" aria-hidden="true" />
            {t('refs.checking')}
          </li>
        ))}
        {free > 0 ? (
          <li>
            <button type="button" className="ref ref--add" onClick={() => input.current?.click()}>
              <Icon name="image" size={20} />
              <span>{t('refs.add')}</span>
              <small>{t('refs.addHint')}</small>
            </button>
          </li>
        ) : null}
      </ul>
      <FilePicker
        ref={input}
        label={t('refs.files')}
        accept={IMAGE_ACCEPT}
        multiple
        onFiles={(files) => void add(files)}
      />
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
