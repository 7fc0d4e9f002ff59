import { AssetStore } from './assets.ts';
import { BatchStore } from './batches.ts';
import { openDatabase, type DB } from './db.ts';
import { JobStore } from './jobs.ts';
import { QueueStateStore } from './queue-state.ts';
import { RefStore } from './refs.ts';
import { SettingsStore } from './settings.ts';

/** Every typed table accessor over one connection. */
export interface Stores {
  db: DB;
  jobs: JobStore;
  batches: BatchStore;
  assets: AssetStore;
  refs: RefStore;
  settings: SettingsStore;
  queue: QueueStateStore;
}

export function createStores(db: DB): Stores {
  return {
    db,
    jobs: new JobStore(db),
    batches: new BatchStore(db),
    assets: new AssetStore(db),
    refs: new RefStore(db),
    settings: new SettingsStore(db),
    queue: new QueueStateStore(db),
  };
}

export function openStores(path: string): Stores {
  return createStores(openDatabase(path));
}
