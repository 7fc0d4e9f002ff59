// An inline field that renames something in place: Enter saves, Escape or leaving the field gives up. A
// refused name (empty, already taken) stays in the field so it can be corrected; the caller says why.
import { useRef, useState } from 'react';

export function RenameField(props: {
  current: string;
  label: string;
  className: string;
  rename: (name: string) => Promise<boolean>;
  done: () => void;
}) {
  const [value, setValue] = useState(props.current);
  const busy = useRef(false);
  const save = async () => {
    if (busy.current) return;
    if (value.trim() === props.current) return props.done();
    busy.current = true;
    const ok = await props.rename(value);
    busy.current = false;
    if (ok) props.done();
  };
  return (
    <input
      className={`input input--sm ${props.className}`}
      aria-label={props.label}
      value={value}
      maxLength={200}
      autoFocus
      onFocus={(e) => e.currentTarget.select()}
      onChange={(e) => setValue(e.target.value)}
      onBlur={() => {
        if (!busy.current) props.done();
      }}
      onKeyDown={(e) => {
        if (e.nativeEvent.isComposing || e.keyCode === 229) return;
        if (e.key === 'Enter') {
          e.preventDefault();
          void save();
        } else if (e.key === 'Escape') {
          // Only the rename ends, not the selection or panel around it that closes on Escape.
          e.preventDefault();
          e.stopPropagation();
          props.done();
        }
      }}
    />
  );
}
