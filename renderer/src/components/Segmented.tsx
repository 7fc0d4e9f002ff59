// A choice among a few values: native radio buttons (arrow keys, form semantics) drawn as a segmented bar.
import { useId, type ReactNode } from 'react';

export interface SegmentOption<T extends string | number> {
  value: T;
  label: ReactNode;
  title?: string;
}

export function Segmented<T extends string | number>(props: {
  label: string;
  value: T;
  options: readonly SegmentOption<T>[];
  onChange: (value: T) => void;
  hideLabel?: boolean;
  /** Lay the options out in this many columns (rows wrap) instead of one bar. */
  columns?: number;
  disabled?: boolean;
}) {
  const name = useId();
  return (
    <fieldset className={`segmented${props.columns ? ' segmented--grid' : ''}`} disabled={props.disabled}>
      <legend className={props.hideLabel ? 'visually-hidden' : 'field-label'}>{props.label}</legend>
      <div
        className="segmented__bar"
        style={
          props.columns ? { gridTemplateColumns: `repeat(${props.columns}, minmax(0, 1fr))` } : undefined
        }
      >
        {props.options.map((o) => (
          <label key={String(o.value)} className="segmented__item" title={o.title}>
            <input
              type="radio"
              name={name}
              value={String(o.value)}
              checked={o.value === props.value}
              onChange={() => props.onChange(o.value)}
            />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
