// Exports and imports running in the engine: progress with Cancel while they run, then how they ended
// (with the files an import could not read), until dismissed.
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
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

/** A bulk action's words in the page's language, from its numbers (the engine's message is English). */
function bulkMessage(t: Extract<TaskInfo, { kind: 'bulk' }>, tr: TFunction): string {
  const r = t.result;
  if (t.state === 'running' || !r)
    return t.total ? tr('tasks.bulk.of', { done: t.done, count: t.total }) : t.message;
  if (t.state === 'failed') return t.message;
  if (t.state === 'canceled')
    return tr(r.action === 'trash' ? 'tasks.bulk.stoppedTrash' : 'tasks.bulk.stopped', {
      done: r.done,
      images: r.images,
      count: r.changed,
    });
  return tr(`tasks.bulk.finished.${r.action}`, { images: r.images, count: r.changed });
}

export function TaskBanners() {
  const { t: tr } = useTranslation();
  const { tasks, cancel, dismiss } = useStudio(
    useShallow((s) => ({ tasks: s.tasks, cancel: s.cancelTask, dismiss: s.dismissTask })),
  );
  if (tasks.length === 0) return null;
  return (
    <ul className="tasks" aria-label={tr('tasks.label')}>
      {tasks.map((t) => {
        const pct = t.total > 0 ? Math.round((t.done / t.total) * 100) : 0;
        const title = tr(`tasks.${t.kind}.${t.state}`);
        const skipped = t.kind === 'import' || t.kind === 'rebuild' ? (t.result?.skipped ?? []) : [];
        return (
          <li key={t.id} className={`task task--${tone(t)}`} aria-label={title}>
            <Icon name={t.kind === 'export' ? 'download' : t.kind === 'bulk' ? 'tag' : 'folder'} />
            <div className="task__body">
              <p className="task__title">{title}</p>
              <p className="task__message" role={t.state === 'failed' ? 'alert' : 'status'}>
                {t.kind === 'bulk' ? bulkMessage(t, tr) : t.message}
              </p>
              {t.state === 'running' ? (
                <div
                  className="task__bar"
                  role="progressbar"
                  aria-label={tr(`tasks.${t.kind}.progress`)}
                  aria-valuemin={0}
                  aria-valuemax={Math.max(t.total, 1)}
                  aria-valuenow={t.done}
                  aria-valuetext={
                    t.total ? tr('tasks.of', { done: t.done, total: t.total }) : tr('tasks.starting')
                  }
                >
                  <span style={{ width: `${pct}%` }} />
                </div>
              ) : null}
              {skipped.length ? (
                <details className="task__details">
                  <summary>{tr('tasks.skipped')}</summary>
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
                {tr('common.cancel')}
              </button>
            ) : (
              <button
                type="button"
                className="icon-btn"
                aria-label={tr('tasks.dismiss', { title })}
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
