// The hidden file input behind a "pick a file" button: the button calls `ref.current.click()`, the input
// hands over the chosen files and is cleared, so choosing the same file again is noticed.
import type { Ref } from 'react';

export function FilePicker(props: {
  ref: Ref<HTMLInputElement>;
  /** The accessible name (tests and screen readers find the picker by it). */
  label: string;
  accept: string;
  multiple?: boolean;
  onFiles: (files: File[]) => void;
}) {
  return (
    <input
      ref={props.ref}
      type="file"
      className="visually-hidden"
      tabIndex={-1}
      aria-label={props.label}
      accept={props.accept}
      multiple={props.multiple}
      onChange={(e) => {
        const files = [...(e.target.files ?? [])];
        e.target.value = '';
        if (files.length) props.onFiles(files);
      }}
    />
  );
}
