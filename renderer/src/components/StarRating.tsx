// A 0–5 star rating as a radio group: each star is a radio, "No rating" clears it. Clicking the current
// value again clears it too, the way people try first.
import { useTranslation } from 'react-i18next';
import { Icon } from './Icon.tsx';

export function StarRating(props: {
  value: number | null;
  onChange: (rating: number) => void;
  label?: string;
  size?: number;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const value = props.value ?? 0;
  return (
    <div className="stars" role="radiogroup" aria-label={props.label ?? t('rating.label')}>
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          role="radio"
          aria-checked={props.value === n}
          aria-label={t('rating.stars', { count: n })}
          className={`stars__star${n <= value ? ' stars__star--on' : ''}`}
          disabled={props.disabled}
          onClick={() => props.onChange(props.value === n ? 0 : n)}
        >
          <Icon name="star" size={props.size ?? 18} filled={n <= value} />
        </button>
      ))}
      <button
        type="button"
        role="radio"
        aria-checked={props.value === 0}
        aria-label={t('rating.none')}
        className="stars__clear"
        disabled={props.disabled || value === 0}
        onClick={() => props.onChange(0)}
      >
        {/* Reads as the state when unrated, and as the action that clears it otherwise. */}
        {value === 0 ? t('rating.none') : t('rating.clear')}
      </button>
    </div>
  );
}
