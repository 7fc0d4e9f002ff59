// What can be done to the selected images at once: favorite, rate, reject, tag, collect, export, trash.
// "Select all N matching" widens the selection to everything the search matches, loaded or not.
import { useState } from 'react';
import type { Selection } from '../../../../shared/contract.ts';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { num } from '../../format.ts';
import { COMPARE_MAX } from '../../store/compare-slice.ts';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';
import { Popover } from '../Popover.tsx';
import { StarRating } from '../StarRating.tsx';
import { TagInput } from '../TagInput.tsx';
import { ExportForm } from './PathForms.tsx';

/** Adds the selection (or the given images) to a collection picked from the list, or to a new one. */
export function CollectionPicker(props: { close: () => void; selection?: Selection }) {
  const { t } = useTranslation();
  const { collections, add, create } = useStudio(
    useShallow((s) => ({ collections: s.collections, add: s.addToCollection, create: s.createCollection })),
  );
  const [name, setName] = useState('');
  return (
    <div className="pform">
      <p className="pform__title">{t('bulk.addToCollection')}</p>
      {collections.length ? (
        <ul className="pick-list">
          {collections.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="pick-list__item"
                onClick={() => {
                  props.close();
                  void add(c.id, props.selection);
                }}
              >
                <Icon name="collection" size={14} />
                <span>{c.name}</span>
                <span className="pick-list__count">{num(c.count)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">{t('bulk.noCollections')}</p>
      )}
      <form
        className="input-group"
        onSubmit={(e) => {
          e.preventDefault();
          void create(name).then((c) => {
            if (!c) return;
            props.close();
            void add(c.id, props.selection);
          });
        }}
      >
        <input
          className="input input--sm"
          aria-label={t('bulk.newCollectionName')}
          placeholder={t('bulk.newCollection')}
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" className="btn btn--sm" disabled={!name.trim()}>
          <Icon name="plus" size={14} /> {t('common.create')}
        </button>
      </form>
    </div>
  );
}

export function BulkBar() {
  const { t } = useTranslation();
  const s = useStudio(
    useShallow((st) => ({
      size: st.selection.size,
      selection: st.selection,
      allMatching: st.allMatching,
      total: st.libraryTotal,
      rows: st.libraryRows,
      selectAllMatching: st.selectAllMatching,
      clear: st.clearSelection,
      update: st.updateAssets,
      trash: st.trashAssets,
      detailOpen: st.selectedAsset !== null,
      compare: st.openCompare,
      pick: st.startPick,
      current: st.currentSelection,
    })),
  );
  // One image with its details open is organised in the details panel; the bar is for more than that.
  if (!s.allMatching && (s.size === 0 || (s.size === 1 && s.detailOpen))) return null;
  const n = s.allMatching ? (s.total ?? s.rows.length) : s.size;
  const loaded = s.allMatching ? s.rows : s.rows.filter((r) => s.selection.has(r.id));
  const allFav = loaded.length > 0 && loaded.every((r) => r.favorite);
  const allRejected = loaded.length > 0 && loaded.every((r) => r.rejected);
  const ratings = new Set(loaded.map((r) => r.rating ?? 0));
  const rating = ratings.size === 1 ? [...ratings][0]! : null;
  return (
    <div className="bulkbar" role="toolbar" aria-label={t('bulk.label')}>
      <div className="bulkbar__count">
        <strong aria-live="polite">
          {s.allMatching ? t('bulk.allMatching', { count: n }) : t('bulk.selected', { count: n })}
        </strong>
        {!s.allMatching && s.total !== null && s.total > n ? (
          <button type="button" className="link" onClick={s.selectAllMatching}>
            {t('bulk.selectAllMatching', { count: s.total })}
          </button>
        ) : null}
        <button type="button" className="link" onClick={s.clear}>
          {t('common.clear')}
        </button>
      </div>
      <div className="bulkbar__actions">
        {!s.allMatching && n >= 2 && n <= COMPARE_MAX ? (
          <button type="button" className="btn btn--sm" onClick={() => s.compare([...s.selection])}>
            <Icon name="compare" size={14} /> {t('compare.open')}
          </button>
        ) : null}
        {n >= 2 ? (
          <button
            type="button"
            className="btn btn--sm"
            onClick={() => {
              const sel = s.current();
              if (sel) void s.pick(sel);
            }}
          >
            <Icon name="trophy" size={14} /> {t('pick.start')}
          </button>
        ) : null}
        <button
          type="button"
          className={`btn btn--sm${allFav ? ' btn--toggled' : ''}`}
          aria-pressed={allFav}
          onClick={() => void s.update({ favorite: !allFav })}
        >
          <Icon name="star" size={14} filled={allFav} /> {t('organise.favorite')}
        </button>
        <StarRating
          value={rating}
          size={16}
          label={t('bulk.rating')}
          onChange={(r) => void s.update({ rating: r })}
        />
        <button
          type="button"
          className={`btn btn--sm${allRejected ? ' btn--toggled' : ''}`}
          aria-pressed={allRejected}
          onClick={() => void s.update({ rejected: !allRejected })}
        >
          <Icon name="ban" size={14} /> {t('organise.reject')}
        </button>
        <Popover
          label={t('bulk.tagLabel')}
          button={
            <>
              <Icon name="tag" size={14} /> {t('organise.tags')}
            </>
          }
        >
          {() => (
            <div className="pform">
              <p className="pform__title">{t('bulk.tagsFor', { count: n })}</p>
              <TagInput
                label={t('bulk.addTag')}
                placeholder={t('organise.addTagPlaceholder')}
                autoFocus
                onSubmit={(tag) => void s.update({ addTags: [tag] })}
              />
              <TagInput
                label={t('bulk.removeTag')}
                placeholder={t('bulk.removeTagPlaceholder')}
                existingOnly
                onSubmit={(tag) => void s.update({ removeTags: [tag] })}
              />
            </div>
          )}
        </Popover>
        <Popover
          label={t('bulk.addToCollection')}
          button={
            <>
              <Icon name="collection" size={14} /> {t('bulk.collection')}
            </>
          }
        >
          {(close) => <CollectionPicker close={close} />}
        </Popover>
        <Popover
          label={t('bulk.export')}
          align="end"
          button={
            <>
              <Icon name="download" size={14} /> {t('bulk.export')}
            </>
          }
        >
          {(close) => <ExportForm count={n} close={close} />}
        </Popover>
        <button type="button" className="btn btn--sm btn--ghost-danger" onClick={() => void s.trash()}>
          <Icon name="trash" size={14} /> {t('bulk.trash')}
        </button>
      </div>
    </div>
  );
}
