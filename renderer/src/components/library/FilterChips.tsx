// The filters in the search text as chips: what is active at a glance, each removable with one click.
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { TFunction } from 'i18next';
import { removeToken, tokenize, type QueryToken } from '../../library/query-text.ts';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';

const RATING_WORDS: Record<string, string> = { '>=': '≥', '<=': '≤', '>': '>', '<': '<', '=': '=' };

/** How a chip reads: "Tag: portrait", "Not tag: draft", "Rating ≥ 4", "Favorites". */
function chipLabel(
  t: TFunction,
  token: QueryToken,
  names: { batch: (id: number) => string | undefined; collection: (id: number) => string | undefined },
): string {
  if (!token.kind) return token.raw;
  if (token.kind === 'fav' || token.kind === 'rejected')
    return t(`chip.${token.kind}${token.negate ? 'Not' : ''}`);
  if (token.kind === 'rating') {
    const m = /^(>=|<=|>|<|=)(.*)$/.exec(token.value);
    if (m && m[2] === '0' && m[1] === '=') return t('chip.unrated');
    return t('chip.rating', { value: m ? `${RATING_WORDS[m[1]!]} ${m[2]}` : token.value });
  }
  let value = token.value;
  const id = /^#(\d+)$/.exec(value);
  if (id && (token.kind === 'batch' || token.kind === 'collection'))
    value = names[token.kind](Number(id[1])) ?? value;
  return t(token.negate ? 'chip.not' : 'chip.is', { key: t(`chip.${token.kind}`), value });
}

export const FilterChips = memo(function FilterChips(props: {
  text: string;
  onChange: (text: string) => void;
}) {
  const { t } = useTranslation();
  const { batches, collections } = useStudio(
    useShallow((s) => ({ batches: s.batches, collections: s.collections })),
  );
  const chips = tokenize(props.text).filter((token) => token.kind !== null);
  if (chips.length === 0) return null;
  const names = {
    batch: (id: number) => batches.find((b) => b.id === id)?.name,
    collection: (id: number) => collections.find((c) => c.id === id)?.name,
  };
  return (
    <ul className="chips" aria-label={t('filters.active')}>
      {chips.map((chip) => {
        const label = chipLabel(t, chip, names);
        return (
          <li key={`${chip.start}-${chip.raw}`} className={`fchip${chip.negate ? ' fchip--not' : ''}`}>
            <span>{label}</span>
            <button
              type="button"
              className="fchip__x"
              aria-label={t('filters.remove', { label })}
              onClick={() => props.onChange(removeToken(props.text, chip))}
            >
              <Icon name="x" size={12} />
            </button>
          </li>
        );
      })}
      {chips.length > 1 ? (
        <li>
          <button
            type="button"
            className="link"
            onClick={() =>
              props.onChange(
                tokenize(props.text)
                  .filter((token) => token.kind === null)
                  .map((token) => token.raw)
                  .join(' '),
              )
            }
          >
            {t('filters.clear')}
          </button>
        </li>
      ) : null}
    </ul>
  );
});
