// The exit code and the one line a person reads for an error a command ended with. Imported only when a
// command fails, so the error classes (and the engine modules that hold them) cost nothing otherwise.
import { ZodError } from 'zod';
import { InputFileError } from '../engine/batch/input-file.ts';
import { PlanError } from '../engine/batch/plan.ts';
import { ReferenceError } from '../engine/batch/refs.ts';
import { TemplateError } from '../engine/batch/template.ts';
import { WildcardError } from '../engine/batch/wildcards.ts';
import { SweepGridError } from '../engine/library/sweep-grid.ts';
import { JobEditError } from '../engine/batch/job-edit.ts';
import { QueueOrderError } from '../engine/store/queue-order.ts';
import { SweepSyntaxError } from '../../shared/sweep.ts';
import { ExportError } from '../engine/library/export.ts';
import { ImportError } from '../engine/library/import.ts';
import { LibraryError } from '../engine/library/library.ts';
import { LeaseBusyError } from '../engine/store/runner-lock.ts';
import { RebuildRefusedError } from '../engine/library/rebuild.ts';
import { CatalogBackupError } from '../engine/store/backups.ts';
import { CatalogDamagedError, DatabaseVersionError, MigrationChecksumError } from '../engine/store/db.ts';
import { EXIT, ExitError, UsageError, type Io } from './common.ts';

const USER_MISTAKES = [
  UsageError,
  ImportError,
  ExportError,
  LibraryError,
  InputFileError,
  ReferenceError,
  TemplateError,
  WildcardError,
  SweepSyntaxError,
  SweepGridError,
  JobEditError,
  QueueOrderError,
  PlanError,
  DatabaseVersionError,
  MigrationChecksumError,
  LeaseBusyError,
  CatalogDamagedError,
  CatalogBackupError,
  RebuildRefusedError,
];

export function exitCodeFor(err: unknown, io: Io): number {
  if (err instanceof ExitError) return err.code;
  if (USER_MISTAKES.some((type) => err instanceof type)) {
    io.err((err as Error).message);
    return EXIT.usage;
  }
  if (err instanceof ZodError) {
    io.err(err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'));
    return EXIT.usage;
  }
  io.err(`Unexpected error: ${(err as Error)?.stack ?? String(err)}`);
  return EXIT.failed;
}
