// A tag field with autocomplete: suggestions come from the library's own tags (most used first) as one
// types; ↑/↓ choose, Enter or Tab takes the highlighted one, Enter on plain text makes a new tag, Escape
// closes the list. An ARIA combobox, so screen readers announce the suggestions.
import { useEffect, useId, useRef, useState } from 'react';
import type { TagInfo } from '../../../shared/contract.ts';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { num } from '../format.ts';
import { isComposing } from '../keyboard.ts';

const SUGGEST_DEBOUNCE_MS = 120;

export function TagInput(props: {
  label: string;
  placeholder?: string;
  /** Tags not to suggest (those the image already has). */
  exclude?: readonly string[];
  /** Only suggest existing tags and only accept one of them (removing a tag). */
  existingOnly?: boolean;
  autoFocus?: boolean;
  onSubmit: (name: string) => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [options, setOptions] = useState<TagInfo[]>([]);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const listId = useId();
  const seq = useRef(0);
  const exclude = new Set((props.exclude ?? []).map((name) => name.toLowerCase()));
  const shown = options.filter((o) => !exclude.has(o.name.toLowerCase()));

  useEffect(() => {
    if (!open) return;
    const mine = ++seq.current;
    const timer = setTimeout(() => {
      api.call('library.tags.suggest', { prefix: text.trim(), limit: 8 }).then(
        (found) => {
          if (mine !== seq.current) return;
          setOptions(found);
          setActive(-1);
        },
        () => setOptions([]),
      );
    }, SUGGEST_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, open]);

  const submit = (name: string) => {
    const n = name.trim();
    if (!n) return;
    if (props.existingOnly && !options.some((o) => o.name.toLowerCase() === n.toLowerCase())) return;
    props.onSubmit(n);
    setText('');
    setActive(-1);
  };

  return (
    <div className="combo">
      <input
        className="input input--sm"
        role="combobox"
        aria-label={props.label}
        aria-expanded={open && shown.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 && shown[active] ? `${listId}-${active}` : undefined}
        placeholder={props.placeholder}
        value={text}
        autoFocus={props.autoFocus}
        maxLength={100}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onKeyDown={(e) => {
          // Enter, Escape and the arrows belong to the input method while it composes (pinyin candidates).
          if (isComposing(e)) return;
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setOpen(true);
            if (shown.length === 0) return;
            const step = e.key === 'ArrowDown' ? 1 : -1;
            // -1 is the typed text itself: the list cycles through it.
            setActive((a) => {
              const next = a + step;
              return next < -1 ? shown.length - 1 : next >= shown.length ? -1 : next;
            });
          } else if (e.key === 'Enter' || (e.key === 'Tab' && active >= 0 && open)) {
            if (e.key === 'Tab' || text.trim() || active >= 0) e.preventDefault();
            submit(active >= 0 && shown[active] ? shown[active].name : text);
          } else if (e.key === ',') {
            e.preventDefault();
            submit(text);
          } else if (e.key === 'Escape' && open && shown.length > 0) {
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      {open && shown.length > 0 ? (
        <ul
          className="combo__list"
          id={listId}
          role="listbox"
          aria-label={t('tags.suggestions', { label: props.label })}
        >
          {shown.map((o, i) => (
            <li
              key={o.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={`combo__option${i === active ? ' combo__option--active' : ''}`}
              // Before the input's blur, so the click lands.
              onMouseDown={(e) => {
                e.preventDefault();
                submit(o.name);
              }}
            >
              <span>{o.name}</span>
              <span className="combo__count">{num(o.uses)}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
