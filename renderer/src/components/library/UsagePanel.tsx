// Where the disk space goes (by batch or by collection) and how many images are stored twice. Loaded when
// opened and after changes, never at start: on a very large library these are whole-table scans.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { DiskUsage, DuplicatesReport } from '../../../../shared/contract.ts';
import { api, errorMessage } from '../../api.ts';
import { bytes } from '../../format.ts';
import { useStudio } from '../../store/index.ts';
import { Segmented } from '../Segmented.tsx';

const SHOWN = 5;

export function UsagePanel() {
  const { t } = useTranslation();
  const { version, selectIds } = useStudio(
    useShallow((s) => ({ version: s.libraryVersion, selectIds: s.selectIds })),
  );
  const [open, setOpen] = useState(false);
  const [by, setBy] = useState<'batch' | 'collection'>('batch');
  const [usage, setUsage] = useState<DiskUsage | null>(null);
  const [dups, setDups] = useState<DuplicatesReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    const timer = setTimeout(() => {
      Promise.all([api.call('library.usage', { by }), api.call('library.duplicates', {})]).then(
        ([u, d]) => {
          if (!live) return;
          setUsage(u);
          setDups(d);
          setError(null);
        },
        (err: unknown) => live && setError(errorMessage(err)),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [open, by, version]);

  const max = Math.max(1, ...(usage?.rows.slice(0, SHOWN).map((r) => r.bytes) ?? [1]));
  return (
    <details className="usage" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('usage.title')}</summary>
      {error ? (
        <p className="field__error">{error}</p>
      ) : !usage || !dups ? (
        <p className="hint">
          <span className="spinner" aria-hidden="true" /> {t('usage.measuring')}
        </p>
      ) : (
        <div className="usage__body">
          <p className="usage__total">
            {t('usage.total', { bytes: bytes(usage.total.bytes), count: usage.total.files })}
          </p>
          <Segmented
            label={t('usage.groupBy')}
            hideLabel
            value={by}
            options={[
              { value: 'batch', label: t('usage.batches') },
              { value: 'collection', label: t('organise.collections') },
            ]}
            onChange={setBy}
          />
          {usage.rows.length === 0 ? (
            <p className="hint">{by === 'batch' ? t('usage.noImages') : t('usage.noCollections')}</p>
          ) : (
            <ul
              className="usage__rows"
              aria-label={by === 'batch' ? t('usage.byBatch') : t('usage.byCollection')}
            >
              {usage.rows.slice(0, SHOWN).map((r) => (
                <li key={`${r.id}`}>
                  <div className="usage__row">
                    <span className="usage__name" title={r.name}>
                      {r.name}
                    </span>
                    <span className="usage__bytes">{bytes(r.bytes)}</span>
                  </div>
                  <span className="usage__bar" style={{ width: `${(r.bytes / max) * 100}%` }} />
                </li>
              ))}
            </ul>
          )}
          {usage.rows.length > SHOWN ? (
            <p className="hint">{t('usage.more', { count: usage.rows.length - SHOWN })}</p>
          ) : null}
          <div className="usage__dups">
            {dups.groups === 0 ? (
              <p className="hint">{t('usage.noDuplicates')}</p>
            ) : (
              <>
                <p>
                  {t('usage.duplicates', { count: dups.extra, groups: dups.groups })} ·{' '}
                  {t('usage.toFree', { bytes: bytes(dups.reclaimableBytes) })}
                </p>
                <button
                  type="button"
                  className="btn btn--xs"
                  onClick={() => selectIds(dups.list.flatMap((g) => g.ids.filter((id) => id !== g.keep)))}
                >
                  {t('usage.selectExtra')}
                </button>
              </>
            )}
          </div>
        </div>
      )}
    </details>
  );
}
