export interface Migration {
  version: number;
  name: string;
  /** Plain SQL, run inside the migration's transaction. */
  sql: string;
}
