// The detail panel's organising part for one image: favorite, reject, a 0–5 rating, tags (with
// autocomplete), collections and notes. Every change goes to the engine at once.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { AssetDetail } from '../../../../shared/contract.ts';
import { isComposing } from '../../keyboard.ts';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';
import { StarRating } from '../StarRating.tsx';
import { TagInput } from '../TagInput.tsx';

export function AssetOrganise({ detail }: { detail: AssetDetail }) {
  const { t } = useTranslation();
  const { update, collections, addTo, removeFrom } = useStudio(
    useShallow((s) => ({
      update: s.updateAssets,
      collections: s.collections,
      addTo: s.addToCollection,
      removeFrom: s.removeFromCollection,
    })),
  );
  const sel = { ids: [detail.id] };
  const [notes, setNotes] = useState(detail.notes ?? '');
  useEffect(() => setNotes(detail.notes ?? ''), [detail.id, detail.notes]);
  const saveNotes = () => {
    if (notes.trim() !== (detail.notes ?? '').trim()) void update({ notes: notes.trim() || null }, sel);
  };
  const fav = detail.favorite ?? false;
  const rejected = detail.rejected ?? false;
  const inCollections = new Set(detail.collections.map((c) => c.id));
  const others = collections.filter((c) => !inCollections.has(c.id));
  return (
    <section className="organise" aria-label={t('organise.label')}>
      <div className="organise__flags">
        <button
          type="button"
          className={`btn btn--sm${fav ? ' btn--toggled' : ''}`}
          aria-pressed={fav}
          onClick={() => void update({ favorite: !fav }, sel)}
        >
          <Icon name="star" size={14} filled={fav} /> {t('organise.favorite')}
        </button>
        <button
          type="button"
          className={`btn btn--sm${rejected ? ' btn--toggled btn--toggled-danger' : ''}`}
          aria-pressed={rejected}
          onClick={() => void update({ rejected: !rejected }, sel)}
        >
          <Icon name="ban" size={14} /> {t('organise.reject')}
        </button>
      </div>
      <div className="organise__field">
        <h3 className="detail__label">{t('rating.label')}</h3>
        <StarRating value={detail.rating ?? 0} onChange={(r) => void update({ rating: r }, sel)} />
      </div>
      <div className="organise__field">
        <h3 className="detail__label">{t('organise.tags')}</h3>
        {detail.tags.length ? (
          <ul className="chips" aria-label={t('organise.tags')}>
            {detail.tags.map((tag) => (
              <li key={tag} className="fchip">
                <span>{tag}</span>
                <button
                  type="button"
                  className="fchip__x"
                  aria-label={t('organise.removeTag', { tag })}
                  onClick={() => void update({ removeTags: [tag] }, sel)}
                >
                  <Icon name="x" size={12} />
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <TagInput
          label={t('organise.addTag')}
          placeholder={t('organise.addTagPlaceholder')}
          exclude={detail.tags}
          onSubmit={(tag) => void update({ addTags: [tag] }, sel)}
        />
      </div>
      <div className="organise__field">
        <h3 className="detail__label">{t('organise.collections')}</h3>
        {detail.collections.length ? (
          <ul className="chips" aria-label={t('organise.collections')}>
            {detail.collections.map((c) => (
              <li key={c.id} className="fchip">
                <Icon name="collection" size={12} />
                <span>{c.name}</span>
                <button
                  type="button"
                  className="fchip__x"
                  aria-label={t('organise.removeFrom', { name: c.name })}
                  onClick={() => void removeFrom(c.id, sel)}
                >
                  <Icon name="x" size={12} />
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {others.length ? (
          <select
            className="input select input--sm"
            aria-label={t('organise.addToCollection')}
            value=""
            onChange={(e) => {
              if (e.target.value) void addTo(Number(e.target.value), sel);
            }}
          >
            <option value="">{t('organise.addToCollectionOption')}</option>
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        ) : collections.length === 0 ? (
          <p className="hint">{t('organise.noCollections')}</p>
        ) : null}
      </div>
      <label className="organise__field">
        <span className="detail__label">{t('organise.notes')}</span>
        <textarea
          className="input textarea"
          rows={2}
          value={notes}
          maxLength={10_000}
          placeholder={t('organise.notesPlaceholder')}
          onChange={(e) => setNotes(e.target.value)}
          onBlur={saveNotes}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !isComposing(e)) saveNotes();
          }}
        />
      </label>
    </section>
  );
}
