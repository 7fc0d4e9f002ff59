// A button that opens a small panel beside it (a form, a list): closes on Escape, on a click elsewhere, or
// when its content calls `close`; focus goes back to the button when it closes from the keyboard. The panel
// is placed in the viewport (fixed), so a scrolling rail or toolbar never clips it: below the button when it
// fits, else above, and shifted sideways to stay on screen.
import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type CSSProperties,
  type ReactNode,
} from 'react';

const MARGIN = 8;
const GAP = 6;

export function Popover(props: {
  /** The button's content. */
  button: ReactNode;
  /** The panel's accessible name. */
  label: string;
  buttonClassName?: string;
  /** The button's accessible name, when its content is an icon. */
  buttonLabel?: string;
  title?: string;
  /** Which edge of the button the panel lines up with first. */
  align?: 'start' | 'end';
  disabled?: boolean;
  onOpen?: () => void;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [style, setStyle] = useState<CSSProperties>({ opacity: 0 });
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const id = useId();
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  useLayoutEffect(() => {
    if (!open) return;
    const place = () => {
      const b = button.current?.getBoundingClientRect();
      const p = panel.current;
      if (!b || !p) return;
      const w = p.offsetWidth;
      const h = p.offsetHeight;
      const vw = window.innerWidth;
      const vh = window.innerHeight;
      let left = props.align === 'end' ? b.right - w : b.left;
      left = Math.max(MARGIN, Math.min(left, vw - w - MARGIN));
      const below = b.bottom + GAP;
      const top = below + h <= vh - MARGIN || b.top - GAP - h < MARGIN ? below : b.top - GAP - h;
      setStyle({ position: 'fixed', top: Math.max(MARGIN, top), left });
    };
    place();
    // The content may grow (a list that loads): place it again when its size changes.
    const ro = new ResizeObserver(place);
    if (panel.current) ro.observe(panel.current);
    window.addEventListener('resize', place);
    window.addEventListener('scroll', place, true);
    return () => {
      ro.disconnect();
      window.removeEventListener('resize', place);
      window.removeEventListener('scroll', place, true);
    };
  }, [open, props.align]);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    // Escape closes it wherever focus is (often still on the button that opened it).
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || e.isComposing || e.keyCode === 229) return;
      e.preventDefault();
      setOpen(false);
      if (wrap.current?.contains(document.activeElement)) button.current?.focus();
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="popover-wrap" ref={wrap}>
      <button
        ref={button}
        type="button"
        className={props.buttonClassName ?? 'btn btn--sm'}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-haspopup="dialog"
        aria-label={props.buttonLabel}
        title={props.title}
        disabled={props.disabled}
        onClick={() => {
          if (!open) {
            props.onOpen?.();
            setStyle({ opacity: 0 }); // measured, then placed, before it is painted
          }
          setOpen(!open);
        }}
      >
        {props.button}
      </button>
      {open ? (
        <div
          id={id}
          ref={panel}
          role="dialog"
          aria-label={props.label}
          className="popover"
          style={style}
          onKeyDown={(e) => {
            // Only this popover closes, not the panel or selection around it.
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
        >
          {props.children(close)}
        </div>
      ) : null}
    </div>
  );
}
