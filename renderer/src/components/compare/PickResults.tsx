// The end of a "pick the best" round: every image it showed, best first, with its score and what the round
// changed; the winners (the top few) are one key away from a favourite (F) or a collection (C).
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../../api.ts';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';
import { CollectionPicker } from '../library/BulkBar.tsx';
import { Popover } from '../Popover.tsx';

/** The top third of what was seen, one to three images. */
export const winnersOf = (seen: number) => Math.max(1, Math.min(3, Math.ceil(seen / 3)));

export function PickResults() {
  const { t } = useTranslation();
  const s = useStudio(
    useShallow((st) => ({
      pick: st.pick!,
      update: st.updateAssets,
      start: st.startPick,
      close: st.closePick,
      search: st.searchLibrary,
      query: st.libraryQuery,
    })),
  );
  const collectButton = useRef<HTMLDivElement>(null);
  const rows = Object.values(s.pick.seen).sort(
    (a, b) => (b.score ?? 0) - (a.score ?? 0) || (b.comparisons ?? 0) - (a.comparisons ?? 0),
  );
  const chosen = s.pick.shown.filter((x) => x.token !== null).length;
  const delta = (r: (typeof rows)[number]) =>
    Math.round((r.score ?? 0) - (s.pick.before[r.id] ?? r.score ?? 0));
  // The top of the ranking, among the images this round moved up: an image no choice touched wins nothing.
  const winners = rows
    .slice(0, winnersOf(rows.length))
    .filter((r) => delta(r) > 0)
    .map((r) => r.id);
  const k = winners.length;
  const favourite = () => {
    if (k > 0) void s.update({ favorite: true }, { ids: winners });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if ((e.target as HTMLElement | null)?.closest('input, textarea, select')) return;
      if (e.key === 'f' || e.key === 'F') favourite();
      else if (e.key === 'c' || e.key === 'C') collectButton.current?.querySelector('button')?.click();
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  return (
    <div className="pick-results">
      <p className="pick-results__summary" role="status">
        {chosen ? t('pick.summary', { count: chosen, images: rows.length }) : t('pick.noChoices')}
      </p>
      <div className="pick-results__actions">
        {k > 0 ? (
          <>
            <button type="button" className="btn btn--primary" onClick={favourite}>
              <Icon name="star" /> {t('pick.favouriteTop', { count: k })}{' '}
              <kbd className="kbd kbd--on-accent">F</kbd>
            </button>
            <div ref={collectButton}>
              <Popover
                label={t('bulk.addToCollection')}
                buttonClassName="btn"
                button={
                  <>
                    <Icon name="collection" /> {t('pick.collectTop', { count: k })}{' '}
                    <kbd className="kbd">C</kbd>
                  </>
                }
              >
                {(close) => <CollectionPicker close={close} selection={{ ids: winners }} />}
              </Popover>
            </div>
          </>
        ) : null}
        <button
          type="button"
          className="btn"
          onClick={() => {
            s.close();
            void s.search(s.query, 'best');
          }}
        >
          <Icon name="trophy" /> {t('pick.showBest')}
        </button>
        <button
          type="button"
          className="btn btn--ghost"
          onClick={() => void s.start({ ids: s.pick.round.ids })}
        >
          <Icon name="retry" /> {t('pick.again')}
        </button>
      </div>
      <ol className="pick-results__list" aria-label={t('pick.ranking')}>
        {rows.map((r, i) => {
          const change = delta(r);
          const winner = winners.includes(r.id);
          return (
            <li key={r.id} className={`pick-results__row${winner ? ' pick-results__row--winner' : ''}`}>
              <span className="pick-results__rank">{i + 1}</span>
              <img className="pick-results__thumb" src={api.mediaUrl('thumb', r.id)} alt="" />
              <span className="pick-results__prompt" title={r.prompt}>
                {winner ? (
                  <span className="pick-results__badge">
                    <Icon name="trophy" size={12} /> {t('pick.winner')}
                  </span>
                ) : null}
                {r.prompt}
              </span>
              <span className="pick-results__score">
                {t('pick.score', { score: Math.round(r.score ?? 0) })}
                <span
                  className={`pick-results__delta${change > 0 ? ' pick-results__delta--up' : change < 0 ? ' pick-results__delta--down' : ''}`}
                >
                  {change > 0 ? `+${change}` : change < 0 ? `−${-change}` : '±0'}
                </span>
              </span>
              <span className="pick-results__count">
                {t('pick.comparisons', { count: r.comparisons ?? 0 })}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
