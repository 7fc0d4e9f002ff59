// Compose: the draft batch, its live plan (count and estimate from the engine), references, and Run.
import { LIMITS } from '../../../shared/api.ts';
import type { AssetDetail, RefInfo } from '../../../shared/contract.ts';
import type { BatchPlan, GenerationParams } from '../../../shared/domain.ts';
import { api, errorMessage } from '../api.ts';
import { t } from '../i18n/index.ts';
import {
  buildSpec,
  draftFromJob,
  fileRefNames,
  missingFileRefs,
  newDraft,
  promptLines,
  type Draft,
  type PromptFile,
} from './draft.ts';
import { matchFolder, type FolderMatch } from './folder-refs.ts';
import pMap from 'p-map';
import type { Slice, StudioState } from './types.ts';

export interface PlanState {
  status: 'idle' | 'invalid' | 'loading' | 'ready' | 'error';
  plan: BatchPlan | null;
  /** Why there is no plan: the draft's own problem ('invalid') or the engine's refusal ('error'). */
  message: string | null;
  /** The spec the plan (or the pending request) is for, to drop answers that arrive late. */
  key: string;
}

export interface ComposeSlice {
  draft: Draft;
  plan: PlanState;
  running: boolean;
  refBusy: number;
  refError: string | null;

  updateDraft(patch: Partial<Draft>): void;
  resetDraft(defaults: GenerationParams | undefined): void;
  refreshPlan(): Promise<void>;
  /** Loads a prompt file; `images` dropped with it are matched to the local images its rows name. */
  loadPromptFile(file: File, images?: File[]): Promise<void>;
  clearPromptFile(): void;
  /**
   * Adds the images a loaded prompt file's rows name, matched by file name; returns the files it names
   * none of (for the caller to use otherwise, e.g. as references for the whole batch).
   */
  addFileReferenceImages(files: File[], opts?: { othersAreErrors?: boolean }): Promise<File[]>;
  /** Why an image for the prompt file's rows was refused, shown on the file card. */
  fileRefError: string | null;
  /**
   * Adds the images the prompt file's rows still miss from the files of a folder the person picked (its
   * subfolders included), matched by file name; only those files are read.
   */
  addFileReferenceFolder(files: File[]): Promise<void>;
  /** What the last folder pick found, shown on the file card until images are added otherwise. */
  fileRefFolder: FolderReport | null;
  addReferenceFiles(files: File[]): Promise<void>;
  addReferenceFromAsset(assetId: number): Promise<void>;
  removeReference(sha256: string): void;
  runBatch(): Promise<void>;
  rerun(detail: AssetDetail): void;
}

const PROMPT_FILE_EXT = /\.(txt|csv|jsonl)$/i;
/** The contract carries at most 40 MB of base64, about 30 MB of file. */
const MAX_UPLOAD_BYTES = 30 * 1024 * 1024;

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Sends one image to the engine, which checks it (type, size, decodes) and stores it by content. */
async function uploadReference(file: File): Promise<RefInfo> {
  if (file.size > MAX_UPLOAD_BYTES) {
    throw new Error(t('refs.tooLarge', { name: file.name, mb: (file.size / 1048576).toFixed(1) }));
  }
  return api.call('refs.add', {
    fileName: file.name || 'pasted-image.png',
    dataBase64: toBase64(await file.arrayBuffer()),
  });
}

export interface FolderReport extends Pick<FolderMatch, 'folder' | 'duplicates'> {
  /** How many files the folder holds, subfolders included. */
  files: number;
  /** How many images the rows still missed when it was picked. */
  wanted: number;
  /** How many of those it gave: found once and accepted. */
  added: number;
  /** Still checking the images found. */
  checking: boolean;
}

/** At most this many images read and checked at once. */
const UPLOADS_AT_ONCE = 4;

/** Checks and stores the images for a prompt file's rows; the reasons for those refused. */
async function uploadFileRefs(files: File[]): Promise<{ added: [string, RefInfo][]; errors: string[] }> {
  const errors: string[] = [];
  // At most a few in flight: each image read is held in memory (and as base64) until the engine checked it.
  const added = await pMap(
    files,
    async (f) => {
      try {
        return [[f.name, await uploadReference(f)] as [string, RefInfo]];
      } catch (err) {
        errors.push(errorMessage(err));
        return [];
      }
    },
    { concurrency: UPLOADS_AT_ONCE },
  );
  return { added: added.flat(), errors };
}

/** Puts checked images into the prompt file they were added for, unless it was removed or replaced meanwhile. */
function storeFileRefs(get: () => StudioState, file: PromptFile, added: [string, RefInfo][]): void {
  const current = get().draft.file;
  if (!current || current.name !== file.name || current.entries !== file.entries) return;
  const refFiles = { ...current.refFiles };
  for (const [name, ref] of added) refFiles[name] = ref;
  get().updateDraft({ file: { ...current, refFiles } });
}

export const createComposeSlice: Slice<ComposeSlice> = (set, get) => ({
  draft: newDraft(undefined),
  plan: { status: 'idle', plan: null, message: null, key: '' },
  running: false,
  refBusy: 0,
  refError: null,
  fileRefError: null,
  fileRefFolder: null,

  updateDraft(patch) {
    set((s) => ({ draft: { ...s.draft, ...patch } }));
  },

  resetDraft(defaults) {
    set({ draft: newDraft(defaults), plan: { status: 'idle', plan: null, message: null, key: '' } });
  },

  async refreshPlan() {
    const built = buildSpec(get().draft);
    if (!built.spec) {
      set({ plan: { status: 'invalid', plan: null, message: built.problem, key: '' } });
      return;
    }
    const key = JSON.stringify(built.spec);
    if (get().plan.key === key && get().plan.status !== 'error') return;
    set((s) => ({ plan: { ...s.plan, status: 'loading', key } }));
    try {
      const plan = await api.call('batch.plan', built.spec);
      if (get().plan.key === key) set({ plan: { status: 'ready', plan, message: null, key } });
    } catch (err) {
      if (get().plan.key === key)
        set({ plan: { status: 'error', plan: null, message: errorMessage(err), key } });
    }
  },

  async loadPromptFile(file, images = []) {
    const { toast } = get();
    if (!PROMPT_FILE_EXT.test(file.name)) {
      toast('error', t('compose.notPromptList', { name: file.name }));
      return;
    }
    const text = await file.text();
    if (/\.txt$/i.test(file.name)) {
      const lines = promptLines(text).map((e) => e.prompt);
      if (lines.length === 0) return toast('error', t('compose.noPrompts', { name: file.name }));
      const current = get().draft.text.trimEnd();
      get().updateDraft({ text: current ? `${current}\n${lines.join('\n')}` : lines.join('\n'), file: null });
      toast('success', t('compose.addedPrompts', { count: lines.length, name: file.name }));
      return;
    }
    try {
      const parsed = await api.call('prompts.parseFile', { fileName: file.name, text });
      const plain = parsed.entries.every((e, i) => !e.params && !e.refs && !parsed.rowRefs[i]?.length);
      set({ fileRefError: null, fileRefFolder: null });
      if (plain) {
        const current = get().draft.text.trimEnd();
        const lines = parsed.entries.map((e) => e.prompt).join('\n');
        get().updateDraft({ text: current ? `${current}\n${lines}` : lines, file: null });
      } else {
        get().updateDraft({
          file: {
            name: file.name,
            entries: parsed.entries,
            warnings: parsed.warnings,
            rowRefs: parsed.rowRefs,
            refFiles: {},
          },
        });
      }
      toast('success', t('compose.loadedPrompts', { count: parsed.entries.length, name: file.name }));
      // The warnings stay listed on the file card; one toast says there are some.
      if (parsed.warnings.length) toast('info', t('compose.fileWarnings', { count: parsed.warnings.length }));
      const others = await get().addFileReferenceImages(images);
      if (others.length) await get().addReferenceFiles(others);
    } catch (err) {
      toast('error', errorMessage(err));
    }
  },

  clearPromptFile() {
    get().updateDraft({ file: null });
    set({ fileRefError: null, fileRefFolder: null });
  },

  async addFileReferenceImages(files, opts = {}) {
    const file = get().draft.file;
    if (!file || files.length === 0) return files;
    const named = new Set(fileRefNames(file));
    const matched = files.filter((f) => named.has(f.name));
    const others = files.filter((f) => !named.has(f.name));
    set({ fileRefError: null, fileRefFolder: null });
    const errors: string[] = opts.othersAreErrors
      ? others.map((f) =>
          t('compose.fileRefNotNamed', { name: f.name, file: file.name, names: [...named].join(', ') }),
        )
      : [];
    const uploaded = await uploadFileRefs(matched);
    errors.push(...uploaded.errors);
    storeFileRefs(get, file, uploaded.added);
    set({ fileRefError: errors.length ? errors.join('\n') : null });
    return others;
  },

  async addFileReferenceFolder(files) {
    const file = get().draft.file;
    if (!file) return;
    const wanted = missingFileRefs(file);
    const match = matchFolder(files, wanted);
    const report: FolderReport = {
      folder: match.folder,
      duplicates: match.duplicates,
      files: files.length,
      wanted: wanted.length,
      added: 0,
      checking: match.unique.length > 0,
    };
    set({ fileRefError: null, fileRefFolder: report });
    const uploaded = await uploadFileRefs(match.unique);
    storeFileRefs(get, file, uploaded.added);
    // Not when the file was removed or replaced, or images were added otherwise, while these were checked.
    if (get().fileRefFolder !== report) return;
    set({
      fileRefError: uploaded.errors.length ? uploaded.errors.join('\n') : null,
      fileRefFolder: { ...report, added: uploaded.added.length, checking: false },
    });
  },

  async addReferenceFiles(files) {
    const room = LIMITS.references - get().draft.refs.length - get().refBusy;
    if (files.length === 0) return;
    if (room <= 0) {
      const msg = t('refs.full', { count: LIMITS.references });
      set({ refError: msg });
      get().toast('error', msg);
      return;
    }
    const accepted = files.slice(0, room);
    if (files.length > room) get().toast('error', t('refs.onlyRoom', { count: room }));
    set((s) => ({ refBusy: s.refBusy + accepted.length, refError: null }));
    // Checked in parallel, added in the order they were picked (not the order the checks finish).
    const errors: string[] = [];
    const added = await Promise.all(
      accepted.map(async (file) => {
        try {
          return await uploadReference(file);
        } catch (err) {
          errors.push(errorMessage(err));
          return null;
        }
      }),
    );
    const refs = [...get().draft.refs];
    for (const ref of added) {
      if (ref && !refs.some((r) => r.sha256 === ref.sha256) && refs.length < LIMITS.references)
        refs.push(ref);
    }
    get().updateDraft({ refs });
    set((s) => ({
      refBusy: s.refBusy - accepted.length,
      refError: errors.length ? errors.join('\n') : null,
    }));
    for (const msg of errors) get().toast('error', msg);
  },

  async addReferenceFromAsset(assetId) {
    const refs = get().draft.refs;
    if (refs.length >= LIMITS.references) {
      get().toast('error', t('refs.full', { count: LIMITS.references }));
      return;
    }
    try {
      const ref = await api.call('refs.fromAsset', { id: assetId });
      if (!get().draft.refs.some((r) => r.sha256 === ref.sha256))
        get().updateDraft({ refs: [...get().draft.refs, ref] });
      set({ refError: null });
      get().setArea('compose');
      get().toast('success', t('refs.addedFromLibrary'));
    } catch (err) {
      get().toast('error', errorMessage(err));
    }
  },

  removeReference(sha256) {
    get().updateDraft({ refs: get().draft.refs.filter((r) => r.sha256 !== sha256) });
    set({ refError: null });
  },

  async runBatch() {
    if (get().running) return;
    const built = buildSpec(get().draft);
    if (!built.spec) {
      get().toast('error', built.problem);
      return;
    }
    set({ running: true });
    try {
      const res = await api.call('batch.create', built.spec);
      get().updateDraft({ name: '' });
      await get().refreshQueue();
      get().expandBatch(res.batchId, true);
      get().setArea('queue');
      const name = get().batches.find((b) => b.id === res.batchId)?.name ?? built.spec.name;
      get().toast('success', t('compose.queued', { name, count: res.jobs, credits: res.estimateCredits }));
    } catch (err) {
      get().toast('error', t('compose.notQueued', { error: errorMessage(err) }));
    } finally {
      set({ running: false });
    }
  },

  rerun(detail) {
    if (!detail.job) {
      get().toast('error', t('compose.rerunGone'));
      return;
    }
    const name = t('compose.rerunName', { name: detail.batchName ?? t('compose.rerunImage') }).slice(0, 200);
    set({ draft: draftFromJob(get().draft, detail.job.input, detail.refs, name) });
    get().setArea('compose');
    get().toast('info', t('compose.rerunReady'));
  },
});
