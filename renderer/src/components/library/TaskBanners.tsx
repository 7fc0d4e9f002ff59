// Exports and imports running in the engine: progress with Cancel while they run, then how they ended
// (with the files an import could not read), until dismissed.
import { useShallow } from 'zustand/react/shallow';
import type { TaskInfo } from '../../../../shared/contract.ts';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';

function tone(t: TaskInfo): string {
  if (t.state === 'running') return 'info';
  if (t.state === 'failed') return 'danger';
  if (t.state === 'canceled') return 'neutral';
  return 'success';
}

export function TaskBanners() {
  const { tasks, cancel, dismiss } = useStudio(
    useShallow((s) => ({ tasks: s.tasks, cancel: s.cancelTask, dismiss: s.dismissTask })),
  );
  if (tasks.length === 0) return null;
  return (
    <ul className="tasks" aria-label="Exports and imports">
      {tasks.map((t) => {
        const what = t.kind === 'export' ? 'Export' : 'Import';
        const pct = t.total > 0 ? Math.round((t.done / t.total) * 100) : 0;
        const title =
          t.state === 'running'
            ? `${what} in progress`
            : t.state === 'done'
              ? `${what} finished`
              : t.state === 'canceled'
                ? `${what} canceled`
                : `${what} failed`;
        const skipped = t.kind === 'import' ? (t.result?.skipped ?? []) : [];
        return (
          <li key={t.id} className={`task task--${tone(t)}`} aria-label={title}>
            <Icon name={t.kind === 'export' ? 'download' : 'folder'} />
            <div className="task__body">
              <p className="task__title">{title}</p>
              <p className="task__message" role={t.state === 'failed' ? 'alert' : 'status'}>
                {t.message}
              </p>
              {t.state === 'running' ? (
                <div
                  className="task__bar"
                  role="progressbar"
                  aria-label={`${what} progress`}
                  aria-valuemin={0}
                  aria-valuemax={Math.max(t.total, 1)}
                  aria-valuenow={t.done}
                  aria-valuetext={t.total ? `${t.done} of ${t.total}` : 'starting'}
                >
                  <span style={{ width: `${pct}%` }} />
                </div>
              ) : null}
              {skipped.length ? (
                <details className="task__details">
                  <summary>Files that were not imported</summary>
                  <ul>
                    {skipped.map((f) => (
                      <li key={f.path}>
                        <span className="mono">{f.path}</span> — {f.reason}
                      </li>
                    ))}
                  </ul>
                </details>
              ) : null}
            </div>
            {t.state === 'running' ? (
              <button type="button" className="btn btn--sm" onClick={() => void cancel(t.id)}>
                Cancel
              </button>
            ) : (
              <button
                type="button"
                className="icon-btn"
                aria-label={`Dismiss: ${title}`}
                onClick={() => dismiss(t.id)}
              >
                <Icon name="x" size={14} />
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
