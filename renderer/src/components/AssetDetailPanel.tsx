// One image with everything that made it: prompt, the prompt the service actually used, parameters, seed,
// credits and where the file is — plus copy, re-run and use-as-reference.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { api, errorMessage } from '../api.ts';
import { t as translate } from '../i18n/index.ts';
import { bytes, dateTime, num, relativeTime, sizeLabel } from '../format.ts';
import { useStudio } from '../store/index.ts';
import { Icon } from './Icon.tsx';
import { AssetOrganise } from './library/AssetOrganise.tsx';

async function copy(text: string, what: string, toast: (k: 'success' | 'error', m: string) => void) {
  try {
    await navigator.clipboard.writeText(text);
    toast('success', translate('detail.copied', { what }));
  } catch (err) {
    toast('error', translate('detail.copyFailed', { error: errorMessage(err) }));
  }
}

export function AssetDetailPanel() {
  const { t } = useTranslation();
  const { id, detail, status, select, toast, rerun, useAsRef, update, trash } = useStudio(
    useShallow((s) => ({
      id: s.selectedAsset,
      detail: s.detail,
      status: s.detailStatus,
      select: s.selectAsset,
      toast: s.toast,
      rerun: s.rerun,
      useAsRef: s.addReferenceFromAsset,
      update: s.updateAssets,
      trash: s.trashAssets,
    })),
  );
  const heading = useRef<HTMLHeadingElement>(null);
  /** The asset whose image file failed to load (the panel says so instead of a broken picture). */
  const [missingFile, setMissingFile] = useState<number | null>(null);
  const close = () => void select(null);
  // Focus moves to the panel when it opens, not when it follows the grid to another image (arrow keys keep
  // browsing the grid then).
  const focused = useRef(false);
  useEffect(() => {
    if (id === null) focused.current = false;
    else if (status === 'ready' && !focused.current) {
      focused.current = true;
      heading.current?.focus({ preventScroll: true });
    }
  }, [status, id]);
  if (id === null) return null;

  const input = detail?.job?.input;
  return (
    <aside
      className="detail"
      aria-label={t('detail.title')}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.nativeEvent.isComposing) close();
        // The grid's shortcuts work here too, on this image, unless one is typing.
        if (!detail || e.ctrlKey || e.metaKey || e.altKey) return;
        if ((e.target as HTMLElement).closest('input, textarea, select')) return;
        const sel = { ids: [detail.id] };
        if (e.key === 'f' || e.key === 'F') void update({ favorite: !detail.favorite }, sel);
        else if (/^[0-5]$/.test(e.key)) void update({ rating: Number(e.key) }, sel);
        else if (e.key === 'Delete' || e.key === 'Backspace') void trash(sel);
        else return;
        e.preventDefault();
      }}
    >
      <div className="detail__head">
        <h2 className="detail__title" ref={heading} tabIndex={-1}>
          {t('detail.title')}
        </h2>
        <button type="button" className="icon-btn" aria-label={t('detail.close')} onClick={close}>
          <Icon name="x" />
        </button>
      </div>
      {status === 'loading' && !detail ? (
        <p className="muted">
          <span className="spinner" aria-hidden="true" /> {t('common.loading')}
        </p>
      ) : status === 'missing' ? (
        <p className="muted">{t('detail.gone')}</p>
      ) : status === 'error' || !detail ? (
        <p className="field__error">{t('detail.loadFailed')}</p>
      ) : (
        <div className="detail__body">
          {missingFile === detail.id ? (
            <div className="detail__image detail__image--missing" role="note">
              <Icon name="missing" size={28} />
              <p>{t('detail.fileMissing')}</p>
            </div>
          ) : (
            <a
              className="detail__image"
              href={api.mediaUrl('asset', detail.id)}
              target="_blank"
              rel="noopener noreferrer"
            >
              <img
                src={api.mediaUrl('asset', detail.id)}
                alt={detail.prompt || t('grid.imported')}
                onError={() => setMissingFile(detail.id)}
              />
            </a>
          )}
          <div className="detail__actions">
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => rerun(detail)}
              disabled={!detail.job}
            >
              <Icon name="rerun" /> {t('detail.rerun')}
            </button>
            <button type="button" className="btn" onClick={() => void useAsRef(detail.id)}>
              <Icon name="image" /> {t('detail.useAsRef')}
            </button>
          </div>
          <AssetOrganise detail={detail} />
          <section className="detail__section" aria-label={t('jobs.prompt')}>
            <div className="detail__label-row">
              <h3 className="detail__label">{t('jobs.prompt')}</h3>
              <button
                type="button"
                className="btn btn--ghost btn--xs"
                onClick={() => void copy(detail.prompt, t('jobs.prompt'), toast)}
              >
                <Icon name="copy" size={14} /> {t('detail.copyPrompt')}
              </button>
            </div>
            <p className="detail__prompt">{detail.prompt}</p>
          </section>
          {detail.job?.actualPrompt && detail.job.actualPrompt !== detail.prompt ? (
            <section className="detail__section" aria-label={t('detail.actualPrompt')}>
              <h3 className="detail__label">{t('detail.actualPromptLong')}</h3>
              <p className="detail__prompt detail__prompt--muted">{detail.job.actualPrompt}</p>
            </section>
          ) : null}
          <dl className="props">
            <div>
              <dt>{t('compose.batch')}</dt>
              <dd className="detail__batch">
                {detail.batchName ?? (detail.source === 'imported' ? t('detail.imported') : '—')}
              </dd>
            </div>
            <div>
              <dt>{t('detail.dimensions')}</dt>
              <dd>
                {detail.width}×{detail.height}
              </dd>
            </div>
            <div>
              <dt>{t('detail.fileType')}</dt>
              <dd>
                {detail.format.toUpperCase()} · {bytes(detail.bytes)}
              </dd>
            </div>
            {input ? (
              <>
                <div>
                  <dt>{t('detail.sizeSetting')}</dt>
                  <dd>{sizeLabel(input)}</dd>
                </div>
                <div>
                  <dt>{t('compose.seed')}</dt>
                  <dd className="mono">{input.seed ?? t('plan.randomSeed')}</dd>
                </div>
                <div>
                  <dt>{t('params.numImages')}</dt>
                  <dd>{input.num_images ?? 1}</dd>
                </div>
                <div>
                  <dt>{t('params.expansion')}</dt>
                  <dd>{input.enable_prompt_expansion ? t('common.on') : t('common.off')}</dd>
                </div>
                {input.negative_prompt ? (
                  <div>
                    <dt>{t('params.negative')}</dt>
                    <dd>{input.negative_prompt}</dd>
                  </div>
                ) : null}
              </>
            ) : null}
            <div>
              <dt>{t('compose.credits')}</dt>
              <dd>{detail.job?.credits != null ? num(detail.job.credits) : '—'}</dd>
            </div>
            <div>
              <dt>{t('pick.scoreLabel')}</dt>
              <dd>
                {detail.comparisons
                  ? t('pick.scoreDetail', {
                      score: Math.round(detail.score ?? 0),
                      count: detail.comparisons,
                    })
                  : t('pick.notRanked')}
              </dd>
            </div>
            <div>
              <dt>{t('detail.references')}</dt>
              <dd>{detail.refs.length ? detail.refs.map((r) => r.fileName).join(', ') : t('common.none')}</dd>
            </div>
            <div>
              <dt>{t('detail.created')}</dt>
              <dd title={dateTime(detail.createdAt)}>
                {dateTime(detail.createdAt)} · {relativeTime(detail.createdAt)}
              </dd>
            </div>
            <div className="props__wide">
              <dt>{t('detail.file')}</dt>
              <dd className="mono path">
                {detail.path}
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={t('detail.copyPath')}
                  onClick={() => void copy(detail.path, t('detail.filePath'), toast)}
                >
                  <Icon name="copy" size={14} />
                </button>
              </dd>
            </div>
          </dl>
        </div>
      )}
    </aside>
  );
}
