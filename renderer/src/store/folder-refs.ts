// A folder the person picked for a prompt file's rows: which of the image names the rows need are in it.
// Only file names are looked at here; no file's content is read (a folder may hold thousands).

/** A file as a folder picker gives it: its name, and its place in the picked folder (`shoot/a/lamp.png`). */
export interface PickedFile {
  readonly name: string;
  readonly webkitRelativePath?: string;
}

export interface FolderMatch<F extends PickedFile = File> {
  /** The picked folder's own name. */
  folder: string;
  /** The one file for each wanted name found exactly once, in the wanted names' order. */
  unique: F[];
  /** Wanted names found in more than one place: which copy is meant is the person's call. */
  duplicates: { name: string; paths: string[] }[];
}

const placeOf = (f: PickedFile) => f.webkitRelativePath || f.name;

export function matchFolder<F extends PickedFile>(
  files: readonly F[],
  wanted: readonly string[],
): FolderMatch<F> {
  const want = new Set(wanted);
  const byName = new Map<string, F[]>();
  for (const f of files) {
    if (!want.has(f.name)) continue;
    const same = byName.get(f.name);
    if (same) same.push(f);
    else byName.set(f.name, [f]);
  }
  const unique: F[] = [];
  const duplicates: FolderMatch['duplicates'] = [];
  for (const name of wanted) {
    const found = byName.get(name) ?? [];
    if (found.length === 1) unique.push(found[0]!);
    else if (found.length > 1) duplicates.push({ name, paths: found.map(placeOf).sort() });
  }
  const first = files[0];
  return { folder: first ? placeOf(first).split('/')[0]! : '', unique, duplicates };
}
