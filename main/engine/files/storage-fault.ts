// Faults in our own storage — the disk is full, an I/O error, the database busy beyond its timeout — are
// not bugs and not the service's doing: the queue pauses with reason "disk" and a sentence naming the
// folder, the process stays up, and Resume carries on from what SQLite last committed.

const SQLITE_FAULTS = ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_BUSY', 'SQLITE_CANTOPEN'];
const FS_FAULTS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS']);

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** True for a storage fault, looking through `cause` (a DownloadError wraps the file-system error). */
export function isStorageFault(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = codeOf(e);
    if (FS_FAULTS.has(code) || SQLITE_FAULTS.some((c) => code === c || code.startsWith(`${c}_`))) return true;
  }
  return false;
}

/** The sentence a person reads when storage stopped the queue. */
export function storageFaultMessage(err: unknown, dataDir: string): string {
  let code = '';
  for (let e = err, depth = 0; e && depth < 4 && !code; e = (e as { cause?: unknown }).cause, depth++) {
    code = codeOf(e);
  }
  const what =
    code === 'ENOSPC' || code === 'EDQUOT' || code.startsWith('SQLITE_FULL')
      ? 'the disk is full'
      : code.startsWith('SQLITE_BUSY')
        ? 'the database stayed busy'
        : 'the disk reported an error';
  return (
    `Paused: ${what} under ${dataDir} (${code || 'storage error'}). Nothing was lost — free some space ` +
    `or check the disk, then press Resume.`
  );
}
