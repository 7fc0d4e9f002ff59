// The local reference images a prompt file's rows name, on the file's card in Compose.
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../api.ts';
import { fileRefNames, missingFileRefs } from '../store/draft.ts';
import { useStudio } from '../store/index.ts';
import { FilePicker } from './FilePicker.tsx';
import { Icon } from './Icon.tsx';
import { IMAGE_ACCEPT } from './ReferencePicker.tsx';

/**
 * The local reference images a prompt file's rows name: the page cannot read them from disk, so the person
 * adds them (picked here, or dropped with the file) and they are matched by file name.
 */
export function FileRefs() {
  const { t } = useTranslation();
  const { file, error, add } = useStudio(
    useShallow((s) => ({ file: s.draft.file, error: s.fileRefError, add: s.addFileReferenceImages })),
  );
  const input = useRef<HTMLInputElement>(null);
  if (!file) return null;
  const names = fileRefNames(file);
  if (names.length === 0) return null;
  const missing = missingFileRefs(file);
  return (
    <div className="file-refs">
      <p className="muted">
        {missing.length
          ? t('compose.fileRefsMissing', { count: names.length, missing: missing.length })
          : t('compose.fileRefsAll', { count: names.length })}
      </p>
      <ul className="file-refs__list" aria-label={t('compose.fileRefsList')}>
        {names.map((n) => {
          const ref = file.refFiles[n];
          return (
            <li key={n} className={`file-ref${ref ? '' : ' file-ref--missing'}`}>
              {ref ? (
                <img className="file-ref__img" src={api.mediaUrl('ref', ref.sha256)} alt={n} />
              ) : (
                <Icon name="image" size={16} />
              )}
              <span className="file-ref__name" title={n}>
                {n}
              </span>
              {ref ? null : <span className="file-ref__state">{t('compose.fileRefMissing')}</span>}
            </li>
          );
        })}
      </ul>
      {missing.length ? (
        <button type="button" className="btn btn--sm" onClick={() => input.current?.click()}>
          <Icon name="image" size={14} /> {t('compose.fileRefsAdd', { count: missing.length })}
        </button>
      ) : null}
      <FilePicker
        ref={input}
        label={t('compose.fileRefsFiles')}
        accept={IMAGE_ACCEPT}
        multiple
        onFiles={(files) => void add(files, { othersAreErrors: true })}
      />
      {error ? (
        <p className="field__error file-refs__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
