// An empty library over a data folder that holds images means a lost or emptied catalog (studio.db): offer
// to rebuild it from the records inside the images, instead of the usual "no images yet".
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { useStudio } from '../../store/index.ts';
import { EmptyState } from '../EmptyState.tsx';
import { Icon } from '../Icon.tsx';

export function RebuildOffer({ otherwise }: { otherwise: ReactNode }) {
  const { t } = useTranslation();
  const startRebuild = useStudio((s) => s.startRebuild);
  const rebuilding = useStudio((s) => s.tasks.some((x) => x.kind === 'rebuild' && x.state === 'running'));
  const [needed, setNeeded] = useState(false);
  useEffect(() => {
    let live = true;
    api
      .call('library.rebuildOffer', {})
      .then((r) => live && setNeeded(r.needed))
      .catch(() => live && setNeeded(false));
    return () => {
      live = false;
    };
  }, []);
  if (!needed) return <>{otherwise}</>;
  return (
    <EmptyState
      icon="library"
      title={t('library.rebuildTitle')}
      action={
        <button
          type="button"
          className="btn btn--primary"
          disabled={rebuilding}
          onClick={() => void startRebuild()}
        >
          <Icon name="library" /> {t('library.rebuildAction')}
        </button>
      }
    >
      {t('library.rebuildText')}
    </EmptyState>
  );
}
