// The local reference images a prompt file's rows name, on the file's card in Compose.
import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../api.ts';
import type { FolderReport } from '../store/compose-slice.ts';
import { fileRefNames, missingFileRefs } from '../store/draft.ts';
import { useStudio } from '../store/index.ts';
import { FilePicker } from './FilePicker.tsx';
import { Icon } from './Icon.tsx';
import { IMAGE_ACCEPT } from './ReferencePicker.tsx';

/**
 * The local reference images a prompt file's rows name: the page cannot read them from disk, so the person
 * adds them (picked here, dropped with the file, or found in a folder picked once) and they are matched by
 * file name.
 */
export function FileRefs() {
  const { t } = useTranslation();
  const { file, error, folder, add, addFolder } = useStudio(
    useShallow((s) => ({
      file: s.draft.file,
      error: s.fileRefError,
      folder: s.fileRefFolder,
      add: s.addFileReferenceImages,
      addFolder: s.addFileReferenceFolder,
    })),
  );
  const input = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const summary = useRef<HTMLParagraphElement>(null);
  const missing = file ? missingFileRefs(file) : [];
  const complete = file !== null && missing.length === 0;
  // The buttons go once nothing is missing: focus that was on them moves to the line saying so.
  const wasComplete = useRef(complete);
  useEffect(() => {
    if (complete && !wasComplete.current && document.activeElement === document.body)
      summary.current?.focus({ preventScroll: true });
    wasComplete.current = complete;
  }, [complete]);
  if (!file) return null;
  const names = fileRefNames(file);
  if (names.length === 0) return null;
  return (
    <div className="file-refs">
      <p className="muted file-refs__summary" ref={summary} tabIndex={-1}>
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
        <>
          <div className="file-refs__actions">
            <button type="button" className="btn btn--sm" onClick={() => input.current?.click()}>
              <Icon name="image" size={14} /> {t('compose.fileRefsAdd', { count: missing.length })}
            </button>
            <button
              type="button"
              className="btn btn--sm"
              aria-describedby={hintId}
              onClick={() => folderInput.current?.click()}
            >
              <Icon name="folder" size={14} /> {t('compose.folderPick')}
            </button>
          </div>
          <p id={hintId} className="muted file-refs__hint">
            {t('compose.folderHint')}
          </p>
        </>
      ) : null}
      <FilePicker
        ref={input}
        label={t('compose.fileRefsFiles')}
        accept={IMAGE_ACCEPT}
        multiple
        onFiles={(files) => void add(files, { othersAreErrors: true })}
      />
      <FilePicker
        ref={folderInput}
        label={t('compose.folderPicker')}
        directory
        onFiles={(files) => void addFolder(files)}
      />
      <div role="status" className="file-refs__status">
        {folder ? <FolderFound report={folder} missing={missing} /> : null}
      </div>
      {error ? (
        <p className="field__error file-refs__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** What a picked folder gave: how many of the missing images, which are still missing, and why. */
function FolderFound({ report, missing }: { report: FolderReport; missing: string[] }) {
  const { t } = useTranslation();
  if (report.files === 0) return <p>{t('compose.folderEmpty')}</p>;
  if (report.checking) {
    return (
      <p>
        <span className="spinner" aria-hidden="true" />{' '}
        {t('compose.folderChecking', { folder: report.folder })}
      </p>
    );
  }
  return (
    <>
      <p>{t('compose.folderAdded', { count: report.wanted, added: report.added, folder: report.folder })}</p>
      {missing.length ? <p>{t('compose.folderStillMissing', { names: missing.join(', ') })}</p> : null}
      {report.duplicates.map((d) => (
        <p key={d.name}>{t('compose.folderDuplicate', { name: d.name, paths: d.paths.join(', ') })}</p>
      ))}
    </>
  );
}
