// The hidden file input behind a "pick a file" (or "pick a folder") button: the button calls
// `ref.current.click()`, the input hands over the chosen files and is cleared, so choosing the same file again
// is noticed. A picked folder gives every file in it and its subfolders, each with its place in
// `webkitRelativePath`; only the files' names and sizes are known until one is read.
import type { Ref } from 'react';

export function FilePicker(props: {
  ref: Ref<HTMLInputElement>;
  /** The accessible name (tests and screen readers find the picker by it). */
  label: string;
  /** The file types offered (not for a folder: the browser ignores it there). */
  accept?: string;
  multiple?: boolean;
  /** Pick a folder instead; an empty folder is handed over too, as no files. */
  directory?: boolean;
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
      webkitdirectory={props.directory ? '' : undefined}
      onChange={(e) => {
        const files = [...(e.target.files ?? [])];
        e.target.value = '';
        if (files.length || props.directory) props.onFiles(files);
      }}
    />
  );
}
