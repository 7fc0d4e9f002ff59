// One form row: a label, its control, and the lines under it (a hint, an error). The label names the control
// (htmlFor/id) and the hint and error describe it (aria-describedby), so a screen reader reads them with it.
import { useId, type ReactNode } from 'react';

/** What ties a control to its row: spread it on the input, select or textarea. */
export interface FieldControl {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

export interface FieldProps {
  label: ReactNode;
  /** The control, given the attributes that tie it to the label and the lines under it. */
  children: (control: FieldControl) => ReactNode;
  /** The control's id (one is made up without it). */
  id?: string;
  hint?: ReactNode;
  /** A hint that warns (a budget below the estimate). */
  hintWarn?: boolean;
  /** What is wrong with the value; marks the control invalid. */
  error?: ReactNode;
  /** Read out when the error appears (off where a live counter already says it, keystroke by keystroke). */
  announceError?: boolean;
  /** Marks the control invalid without an error line (the hint says why). */
  invalid?: boolean;
  /** Beside the label, at the right end of its line: a character counter. */
  aside?: ReactNode;
  /** Other elements that describe the control too (a counter, a hint shared by several rows). */
  describedBy?: string;
  /** The label and the control on one line (a small number beside its name). */
  inline?: boolean;
  /** The label, control and lines further apart (inside a form that spaces its parts so). */
  loose?: boolean;
  /** Lays the row out for its place (the run bar's budget, a sweep axis). */
  className?: string;
  labelClassName?: string;
}

export function Field(props: FieldProps) {
  const made = useId();
  const id = props.id ?? made;
  const hintId = props.hint != null ? `${id}-help` : undefined;
  const errorId = props.error != null ? `${id}-error` : undefined;
  const describedBy = [props.describedBy, hintId, errorId].filter(Boolean).join(' ') || undefined;
  const invalid = props.invalid ?? (props.error != null ? true : undefined);
  const label = (
    <label className={props.labelClassName ?? 'field-label'} htmlFor={id}>
      {props.label}
    </label>
  );
  const classes = ['field', props.inline && 'field--inline', props.loose && 'field--loose', props.className];
  return (
    <div className={classes.filter(Boolean).join(' ')}>
      {props.aside != null ? (
        <div className="field__row">
          {label}
          {props.aside}
        </div>
      ) : (
        label
      )}
      {props.children({ id, 'aria-describedby': describedBy, 'aria-invalid': invalid })}
      {hintId ? (
        <p className={`hint${props.hintWarn ? ' hint--warn' : ''}`} id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {errorId ? (
        <FieldError id={errorId} announce={props.announceError ?? true}>
          {props.error}
        </FieldError>
      ) : null}
    </div>
  );
}

/** An error line: under a field, or a refused action's message in a form or dialog. */
export function FieldError(props: {
  children: ReactNode;
  id?: string;
  /** Read out when it appears (role="alert"); on by default. */
  announce?: boolean;
  className?: string;
}) {
  if (props.children == null || props.children === '') return null;
  return (
    <p
      className={`field__error${props.className ? ` ${props.className}` : ''}`}
      id={props.id}
      role={props.announce === false ? undefined : 'alert'}
    >
      {props.children}
    </p>
  );
}
