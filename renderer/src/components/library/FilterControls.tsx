// Filters as controls. Each one only edits the search text (adds, replaces or removes its token), so the
// text stays the single source of truth and a typed `ar:16:9` shows up in the aspect control too.
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { i18n } from '../../i18n/index.ts';
import { getFilter, hasFilter, setFilter, type FilterKind } from '../../library/query-text.ts';
import { useStudio } from '../../store/index.ts';
import type { LibrarySort } from '../../store/library-slice.ts';
import { Icon } from '../Icon.tsx';
import { Popover } from '../Popover.tsx';

const RATINGS = ['>=1', '>=2', '>=3', '>=4', '=5', '=0'] as const;
const ASPECTS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', 'landscape', 'portrait', 'square'];
const FORMATS: [string, string][] = [
  ['png', 'PNG'],
  ['jpeg', 'JPEG'],
  ['webp', 'WebP'],
];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RECENT_BATCHES = 30;

/** A select over one filter kind; a value typed by hand that is not among the options is kept as one. */
function FilterSelect(props: {
  label: string;
  any: string;
  kind: FilterKind;
  options: readonly [string, string][];
  text: string;
  onChange: (text: string) => void;
}) {
  const value = getFilter(props.text, props.kind) ?? '';
  const options =
    value && !props.options.some(([v]) => v === value)
      ? [...props.options, [value, value] as const]
      : props.options;
  return (
    <label className="filter">
      <span className="visually-hidden">{props.label}</span>
      <select
        className={`input select input--sm${value ? ' filter--on' : ''}`}
        value={value}
        onChange={(e) => props.onChange(setFilter(props.text, props.kind, e.target.value || null))}
      >
        <option value="">{props.any}</option>
        {options.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}

function shortDate(value: string): string {
  if (!DATE.test(value)) return value;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d).toLocaleDateString(i18n.language, {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  });
}

/** After/before in one small popover: two date fields are too wide for the filter row. */
function DateFilter(props: { text: string; onChange: (t: string) => void }) {
  const { t } = useTranslation();
  const after = getFilter(props.text, 'after');
  const before = getFilter(props.text, 'before');
  const on = getFilter(props.text, 'on');
  const label =
    on !== null
      ? t('filters.dateOn', { date: shortDate(on) })
      : after !== null && before !== null
        ? `${shortDate(after)} – ${shortDate(before)}`
        : after !== null
          ? t('filters.dateSince', { date: shortDate(after) })
          : before !== null
            ? t('filters.dateBefore', { date: shortDate(before) })
            : t('filters.anyDate');
  const active = after !== null || before !== null || on !== null;
  return (
    <Popover
      label={t('filters.date')}
      buttonClassName={`btn btn--sm btn--select${active ? ' btn--toggled' : ''}`}
      button={label}
    >
      {() => (
        <div className="pform">
          <p className="pform__title">{t('filters.madeBetween')}</p>
          {(['after', 'before'] as const).map((kind) => {
            const value = getFilter(props.text, kind) ?? '';
            return (
              <label key={kind} className="field">
                <span className="field-label">
                  {kind === 'after' ? t('filters.onOrAfter') : t('filters.before')}
                </span>
                <input
                  type="date"
                  className="input input--sm"
                  value={DATE.test(value) ? value : ''}
                  onChange={(e) => props.onChange(setFilter(props.text, kind, e.target.value || null))}
                />
              </label>
            );
          })}
          <p className="hint">{t('filters.dateHint')}</p>
        </div>
      )}
    </Popover>
  );
}

export const FilterControls = memo(function FilterControls(props: {
  text: string;
  onChange: (text: string) => void;
}) {
  const { t } = useTranslation();
  const allBatches = useStudio((s) => s.batches);
  // The most recent ones (newest first); older batches are a `batch:` away in the search.
  const batches = allBatches.slice(0, RECENT_BATCHES).map((b) => [`#${b.id}`, b.name] as [string, string]);
  const fav = hasFilter(props.text, 'fav');
  const { text, onChange } = props;
  return (
    <div className="filters" role="group" aria-label={t('filters.label')}>
      <button
        type="button"
        className={`btn btn--sm${fav ? ' btn--toggled' : ''}`}
        aria-pressed={fav}
        onClick={() => onChange(setFilter(text, 'fav', fav ? null : ''))}
      >
        <Icon name="star" size={14} filled={fav} /> {t('chip.fav')}
      </button>
      <FilterSelect
        label={t('rating.label')}
        any={t('filters.anyRating')}
        kind="rating"
        options={RATINGS.map((r) => [r, t(`filters.rating.${r}`)])}
        text={text}
        onChange={onChange}
      />
      <FilterSelect
        label={t('params.aspectRatio')}
        any={t('filters.anyAspect')}
        kind="ar"
        options={ASPECTS.map((a) => [a, a.includes(':') ? a : t(`filters.orientation.${a}`)])}
        text={text}
        onChange={onChange}
      />
      <FilterSelect
        label={t('params.format')}
        any={t('filters.anyFormat')}
        kind="format"
        options={FORMATS}
        text={text}
        onChange={onChange}
      />
      <FilterSelect
        label={t('compose.batch')}
        any={t('filters.allBatches')}
        kind="batch"
        options={batches}
        text={text}
        onChange={onChange}
      />
      <DateFilter text={text} onChange={onChange} />
    </div>
  );
});

export function SortSelect(props: { sort: LibrarySort; onSort: (sort: LibrarySort) => void }) {
  const { t } = useTranslation();
  const square = useStudio((s) => s.squareTiles);
  return (
    <>
      <button
        type="button"
        className={`btn${square ? ' btn--toggled' : ''}`}
        aria-pressed={square}
        title={t('filters.squareTitle')}
        onClick={() => useStudio.getState().setSquareTiles(!square)}
      >
        {t('filters.square')}
      </button>
      <label className="filter">
        <span className="visually-hidden">{t('filters.sort')}</span>
        <select
          className="input select"
          value={props.sort}
          onChange={(e) => props.onSort(e.target.value as LibrarySort)}
        >
          <option value="newest">{t('filters.newest')}</option>
          <option value="relevance">{t('filters.relevance')}</option>
          <option value="best">{t('pick.sortBest')}</option>
        </select>
      </label>
    </>
  );
}
