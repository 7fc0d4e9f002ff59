// Where the disk space goes (by batch or by collection) and how many images are stored twice. Loaded when
// opened and after changes, never at start: on a very large library these are whole-table scans.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { DiskUsage, DuplicatesReport } from '../../../../shared/contract.ts';
import { api, errorMessage } from '../../api.ts';
import { bytes, count } from '../../format.ts';
import { useStudio } from '../../store/index.ts';
import { Segmented } from '../Segmented.tsx';

const SHOWN = 5;

export function UsagePanel() {
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
    const t = setTimeout(() => {
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
      clearTimeout(t);
    };
  }, [open, by, version]);

  const max = Math.max(1, ...(usage?.rows.slice(0, SHOWN).map((r) => r.bytes) ?? [1]));
  return (
    <details className="usage" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Disk use and duplicates</summary>
      {error ? (
        <p className="field__error">{error}</p>
      ) : !usage || !dups ? (
        <p className="hint">
          <span className="spinner" aria-hidden="true" /> Measuring…
        </p>
      ) : (
        <div className="usage__body">
          <p className="usage__total">
            <strong>{bytes(usage.total.bytes)}</strong> in {count(usage.total.files, 'file')}
          </p>
          <Segmented
            label="Group by"
            hideLabel
            value={by}
            options={[
              { value: 'batch', label: 'Batches' },
              { value: 'collection', label: 'Collections' },
            ]}
            onChange={setBy}
          />
          {usage.rows.length === 0 ? (
            <p className="hint">{by === 'batch' ? 'No images yet.' : 'No collections yet.'}</p>
          ) : (
            <ul
              className="usage__rows"
              aria-label={by === 'batch' ? 'Disk use by batch' : 'Disk use by collection'}
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
          {usage.rows.length > SHOWN ? <p className="hint">and {usage.rows.length - SHOWN} more</p> : null}
          <div className="usage__dups">
            {dups.groups === 0 ? (
              <p className="hint">No duplicates.</p>
            ) : (
              <>
                <p>
                  <strong>{count(dups.extra, 'duplicate')}</strong> in {count(dups.groups, 'group')} ·{' '}
                  {bytes(dups.reclaimableBytes)} to free
                </p>
                <button
                  type="button"
                  className="btn btn--xs"
                  onClick={() => selectIds(dups.list.flatMap((g) => g.ids.filter((id) => id !== g.keep)))}
                >
                  Select the extra copies
                </button>
              </>
            )}
          </div>
        </div>
      )}
    </details>
  );
}
