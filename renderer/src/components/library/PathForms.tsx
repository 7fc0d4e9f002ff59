// Where an export goes and which folder to import. In the app the engine opens the system's dialog; in a
// browser (the bridge) the page cannot see the disk, so the person types a full path instead.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store/index.ts';
import type { TaskStart } from '../../store/library-slice.ts';
import { FieldError } from '../Field.tsx';
import { Icon } from '../Icon.tsx';
import { Segmented } from '../Segmented.tsx';

function today(): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** A path beside the data folder, spelled with the data folder's own separator (Windows or not). */
function suggestedPath(dataDir: string, format: 'zip' | 'folder'): string {
  const sep = dataDir.includes('\\') && !dataDir.includes('/') ? '\\' : '/';
  const base = dataDir.replace(/[\\/]+$/, '');
  return `${base}${sep}exports${sep}qwen-studio-export-${today()}${format === 'zip' ? '.zip' : ''}`;
}

/**
 * Submitting starts a background task; the form stays busy until it has started, then closes. A refusal
 * (a taken name, a path that is not a full path, nothing left to export) stays in the form, where the
 * person can correct it, until the next try or a change of the path.
 */
function useTaskForm(start: () => Promise<TaskStart>, close: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await start();
    setBusy(false);
    if (r.started) close();
    else setError(r.error);
  };
  return { busy, error, clearError: () => setError(null), onSubmit: (e: FormEvent) => void onSubmit(e) };
}

export function ExportForm(props: { count: number; close: () => void }) {
  const { t } = useTranslation();
  const { canPick, dataDir, startExport } = useStudio(
    useShallow((s) => ({
      canPick: s.info?.canPickPaths ?? false,
      dataDir: s.info?.dataDir ?? '',
      startExport: s.startExport,
    })),
  );
  const [format, setFormat] = useState<'zip' | 'folder'>('zip');
  const [path, setPath] = useState<string | null>(null);
  const out = path ?? suggestedPath(dataDir, format);
  const { busy, error, clearError, onSubmit } = useTaskForm(
    () => startExport(format, canPick ? undefined : out.trim()),
    props.close,
  );
  return (
    <form className="pform" onSubmit={onSubmit}>
      <p className="pform__title">{t('export.title', { count: props.count })}</p>
      <Segmented
        label={t('export.as')}
        value={format}
        options={[
          { value: 'zip', label: t('export.zip') },
          { value: 'folder', label: t('export.folder') },
        ]}
        onChange={(f) => {
          setFormat(f);
          clearError();
        }}
      />
      {canPick ? null : (
        <label className="field">
          <span className="field-label">
            {format === 'zip' ? t('export.saveAs') : t('export.folderPath')}
          </span>
          <input
            className="input input--sm mono"
            value={out}
            spellCheck={false}
            aria-invalid={error !== null}
            onChange={(e) => {
              setPath(e.target.value);
              clearError();
            }}
          />
        </label>
      )}
      <FieldError className="pform__error">{error}</FieldError>
      <p className="hint">{t('export.hint')}</p>
      <button type="submit" className="btn btn--primary btn--sm" disabled={busy || (!canPick && !out.trim())}>
        <Icon name="download" size={14} /> {canPick ? t('export.choose') : t('bulk.export')}
      </button>
    </form>
  );
}

export function ImportForm(props: { close: () => void }) {
  const { t } = useTranslation();
  const { canPick, startImport } = useStudio(
    useShallow((s) => ({ canPick: s.info?.canPickPaths ?? false, startImport: s.startImport })),
  );
  const [folder, setFolder] = useState('');
  const { busy, error, clearError, onSubmit } = useTaskForm(
    () => startImport(canPick ? undefined : folder.trim()),
    props.close,
  );
  return (
    <form className="pform" onSubmit={onSubmit}>
      <p className="pform__title">{t('import.title')}</p>
      {canPick ? null : (
        <label className="field">
          <span className="field-label">{t('export.folderPath')}</span>
          <input
            className="input input--sm mono"
            value={folder}
            placeholder={t('import.placeholder')}
            spellCheck={false}
            autoFocus
            aria-invalid={error !== null}
            onChange={(e) => {
              setFolder(e.target.value);
              clearError();
            }}
          />
        </label>
      )}
      <FieldError className="pform__error">{error}</FieldError>
      <p className="hint">{t('import.hint')}</p>
      <button
        type="submit"
        className="btn btn--primary btn--sm"
        disabled={busy || (!canPick && !folder.trim())}
      >
        <Icon name="folder" size={14} /> {canPick ? t('import.choose') : t('import.button')}
      </button>
    </form>
  );
}
