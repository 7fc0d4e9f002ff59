// The filters in the search text as chips: what is active at a glance, each removable with one click.
import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { chipLabel, removeToken, tokenize } from '../../library/query-text.ts';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';

export const FilterChips = memo(function FilterChips(props: {
  text: string;
  onChange: (text: string) => void;
}) {
  const { batches, collections } = useStudio(
    useShallow((s) => ({ batches: s.batches, collections: s.collections })),
  );
  const chips = tokenize(props.text).filter((t) => t.kind !== null);
  if (chips.length === 0) return null;
  const names = {
    batch: (id: number) => batches.find((b) => b.id === id)?.name,
    collection: (id: number) => collections.find((c) => c.id === id)?.name,
  };
  return (
    <ul className="chips" aria-label="Active filters">
      {chips.map((t) => {
        const label = chipLabel(t, names);
        return (
          <li key={`${t.start}-${t.raw}`} className={`fchip${t.negate ? ' fchip--not' : ''}`}>
            <span>{label}</span>
            <button
              type="button"
              className="fchip__x"
              aria-label={`Remove filter ${label}`}
              onClick={() => props.onChange(removeToken(props.text, t))}
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
                  .filter((t) => t.kind === null)
                  .map((t) => t.raw)
                  .join(' '),
              )
            }
          >
            Clear filters
          </button>
        </li>
      ) : null}
    </ul>
  );
});
