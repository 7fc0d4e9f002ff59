// The Electron entry: one instance, one data folder, one engine, one window. Everything that decides
// something lives in the small modules beside this file; here they are put in order.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BrowserWindow,
  app,
  dialog,
  safeStorage,
  screen,
  session,
  shell,
  type OpenDialogOptions,
  type SaveDialogOptions,
} from 'electron';
import { commandNames, main as cliMain } from '../cli.ts';
import { createHandlers, type PickKind } from '../engine/handlers.ts';
import { systemTrashMover } from '../engine/services/library.ts';
import { LeaseBusyError } from '../engine/services/queue.ts';
import {
  CatalogDamagedError,
  DatabaseVersionError,
  MigrationChecksumError,
  catalogUpdateNotice,
} from '../engine/services/catalog.ts';
import { APP_NAME, Studio } from '../engine/studio.ts';
import { startSimulator, type Simulator } from '../simulator/server.ts';
import { CLI_TOOL_PATH, installCommandLineTool } from './cli-install.ts';
import { runCliIfAsked } from './cli-mode.ts';
import { openExternal } from './external-links.ts';
import { forwardEvents, sendToPage, wireIpc } from './ipc.ts';
import { KEY_FILE_NAME, openKeyStore, type AppKeyStore, type KeyCipher } from './key-store.ts';
import { APP_ORIGIN } from '../../shared/media-url.ts';
import { ALLOW_BUTTON, keyDestinationQuestion } from './key-question.ts';
import { installMenu } from './menu.ts';
import { startNotifications } from './notify.ts';
import { showUpdatingWindow } from './updating-window.ts';
import {
  handleAppProtocol,
  handleMediaProtocol,
  openMediaInViewer,
  registerPrivilegedSchemes,
  rendererDirFrom,
} from './protocol.ts';
import { installSecurity, windowWebPreferences } from './security.ts';
import { contentSecurityPolicy } from './security-policy.ts';
import { MIN_HEIGHT, MIN_WIDTH, clampToDisplays } from '../../shared/window-geometry.ts';
import { readWindowState, trackWindowState } from './window-state.ts';

const APP_ID = 'video.skills.qwenstudio';
const WEBSITE = 'https://skills.video';
/** A clean stop waits for creates already sent; past this, quitting wins (every job stays resumable). */
const SHUTDOWN_LIMIT_MS = 20_000;

const here = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(here, '..', 'preload', 'index.cjs');
// electron-vite dev serves the page from Vite; a packaged app never looks at the variable.
const devServer =
  !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null;
const appOrigin = devServer ? new URL(devServer).origin : APP_ORIGIN;
const pageUrl = devServer ?? `${APP_ORIGIN}/index.html`;

// Both must happen before `ready`: scheme privileges, and the name that picks the userData folder (which also
// holds the single-instance lock, so the name is set before the lock is taken).
registerPrivilegedSchemes();
app.setName(APP_NAME);
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

const safeStorageCipher: KeyCipher = {
  isAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
  encrypt: (plain) => safeStorage.encryptStringAsync(plain),
  decrypt: async (data) => {
    const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(data);
    return { result, shouldReEncrypt };
  },
  backend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null),
};

let win: BrowserWindow | null = null;
let studio: Studio | null = null;
let keyStore: AppKeyStore | null = null;
let simulator: Simulator | null = null;
const cleanups: (() => void)[] = [];
let quitState: 'running' | 'closing' | 'closed' = 'running';

function log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
  if (studio) studio.log[level](message, fields);
  else console[level === 'info' ? 'log' : level](`[qwen-studio] ${message}`, fields ?? '');
}
const warn = (message: string, fields?: Record<string, unknown>) => log('warn', message, fields);

function focusWindow(): void {
  if (!win || win.isDestroyed()) {
    if (studio && quitState === 'running') createWindow(studio);
    return;
  }
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/** Thrown after a startup error has been shown, so the error is not reported a second time. */
class StartupAborted extends Error {}

function fatal(title: string, message: string): never {
  dialog.showErrorBox(title, message);
  app.exit(1);
  throw new StartupAborted(message);
}

function openFolder(path: string): void {
  void shell.openPath(path).then((error) => {
    if (error) warn('could not open folder', { path, error });
  });
}

/** Asks where an export goes or which folder to import, attached to the window; null when closed. */
async function pickPath(kind: PickKind): Promise<string | null> {
  const parent = win && !win.isDestroyed() ? win : null;
  if (kind === 'export-sheet') {
    const options: SaveDialogOptions = {
      title: 'Save the contact sheet',
      buttonLabel: 'Save',
      defaultPath: join(app.getPath('downloads'), 'contact-sheet.png'),
      filters: [{ name: 'PNG image', extensions: ['png'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    };
    const r = await (parent ? dialog.showSaveDialog(parent, options) : dialog.showSaveDialog(options));
    return r.canceled || !r.filePath ? null : r.filePath;
  }
  if (kind === 'export-zip') {
    const day = new Date().toISOString().slice(0, 10);
    const options: SaveDialogOptions = {
      title: 'Export images',
      buttonLabel: 'Export',
      defaultPath: join(app.getPath('downloads'), `qwen-studio-export-${day}.zip`),
      filters: [{ name: 'Zip archive', extensions: ['zip'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    };
    const r = await (parent ? dialog.showSaveDialog(parent, options) : dialog.showSaveDialog(options));
    return r.canceled || !r.filePath ? null : r.filePath;
  }
  const options: OpenDialogOptions =
    kind === 'export-folder'
      ? {
          title: 'Export images to a folder',
          buttonLabel: 'Export here',
          defaultPath: app.getPath('pictures'),
          properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
        }
      : {
          title: 'Import a folder of images',
          buttonLabel: 'Import',
          defaultPath: app.getPath('pictures'),
          properties: ['openDirectory'],
        };
  const r = await (parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options));
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

function createWindow(s: Studio): BrowserWindow {
  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const state = clampToDisplays(readWindowState(stateFile), screen.getAllDisplays());
  const w = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: Math.min(MIN_WIDTH, state.width),
    minHeight: Math.min(MIN_HEIGHT, state.height),
    title: APP_NAME,
    show: false,
    webPreferences: windowWebPreferences(preloadPath),
  });
  trackWindowState(w, stateFile, (err) => warn('could not save the window position', { error: String(err) }));
  // Shown once painted (no blank flash); maximize() also shows, so it waits until then too.
  w.once('ready-to-show', () => (state.maximized ? w.maximize() : w.show()));
  w.on('closed', () => {
    if (win === w) win = null;
  });
  let lastCrash = 0;
  w.webContents.on('render-process-gone', (_event, details) => {
    log('error', 'the window stopped', { reason: details.reason, exitCode: details.exitCode });
    // Reload after a crash, but not in a loop if the page crashes again as soon as it loads.
    const now = Date.now();
    if (details.reason !== 'clean-exit' && now - lastCrash > 10_000 && !w.isDestroyed()) w.reload();
    lastCrash = now;
  });
  w.webContents.on('did-fail-load', (_event, code, description, url, isMainFrame) => {
    // -3 is an aborted load (a reload replacing another), not a failure.
    if (!isMainFrame || code === -3) return;
    log('error', 'the page failed to load', {
      code,
      description,
      url: url.slice(0, 200),
      dataDir: s.dataDir,
    });
    // ready-to-show never comes for a page that did not load: show the window so the app is not invisible.
    if (!w.isDestroyed() && !w.isVisible()) w.show();
  });
  win = w;
  // A failed load is reported by did-fail-load above; the rejection itself adds nothing.
  w.loadURL(pageUrl).catch(() => undefined);
  return w;
}

async function shutdown(): Promise<void> {
  for (const stop of cleanups.splice(0)) {
    try {
      stop();
    } catch (err) {
      warn('cleanup failed', { error: String(err) });
    }
  }
  const work = (async () => {
    await keyStore?.flush();
    // An export or import in progress stops cleanly (no half-written zip) before the database closes.
    if (studio) studio.tasks.cancelAll();
    // The clean stop: in-flight creates get their answer, the lease is released, so the next start
    // resumes without treating this as a crash.
    await studio?.close();
    await simulator?.close();
  })();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      warn('shutdown took too long; quitting anyway (unfinished jobs resume at the next start)');
      resolve();
    }, SHUTDOWN_LIMIT_MS);
  });
  try {
    await Promise.race([work, limit]);
  } catch (err) {
    console.error('[qwen-studio] shutdown failed', err);
  } finally {
    clearTimeout(timer);
  }
}

async function startup(): Promise<void> {
  await app.whenReady();
  const userData = app.getPath('userData');
  const dataDir = process.env.QWEN_STUDIO_DATA_DIR || userData;
  const csp = contentSecurityPolicy({ devServer });

  installSecurity(session.defaultSession, {
    appOrigin,
    devServer,
    openExternal: (url) => void openExternal(url, (bad) => warn('external link refused', { url: bad })),
    openMedia: (url) => {
      if (!studio) return;
      openMediaInViewer(studio, url).then(
        (opened) => opened || warn('media link refused', { url: url.slice(0, 200) }),
        (err: unknown) => warn('could not open the image', { error: String(err) }),
      );
    },
    log: (message, fields) => log('warn', message, fields),
  });
  if (!devServer) handleAppProtocol({ rendererDir: rendererDirFrom(here), csp });

  // The key store's warnings arrive before the engine (and its log) exists; keep them until it does.
  const early: [string, Record<string, unknown> | undefined][] = [];
  keyStore = await openKeyStore({
    file: join(userData, KEY_FILE_NAME),
    cipher: safeStorageCipher,
    warn: (message, fields) => early.push([message, fields]),
  });

  // A catalog from an earlier version is updated as it opens, which can take a minute: a small window says so.
  const updating = catalogUpdateNotice(dataDir) ? await showUpdatingWindow(app.getLocale()) : null;
  try {
    // The key is passed as a value, not a getter: the handlers switch it with setApiKey (a new key, the
    // simulator's key in "try without a key"), which a getter would override.
    // Trashed images go to the OS trash, where people look for them (undo restores their library entries).
    studio = new Studio({
      dataDir,
      apiKey: keyStore.get(),
      trashMover: systemTrashMover((p) => shell.trashItem(p)),
    });
    updating?.destroy();
  } catch (err) {
    updating?.destroy();
    if (
      err instanceof DatabaseVersionError ||
      err instanceof MigrationChecksumError ||
      err instanceof CatalogDamagedError
    ) {
      fatal('Qwen Studio cannot open this library', err.message);
    }
    fatal(
      'Qwen Studio cannot open its data folder',
      `${dataDir}\n\n${(err as Error).message}\n\nCheck that the folder is writable, or start Qwen Studio with ` +
        `QWEN_STUDIO_DATA_DIR set to another folder.`,
    );
  }
  const s = studio;
  for (const [message, fields] of early) s.log.warn(message, fields);
  s.log.info('app starting', {
    version: app.getVersion(),
    dataDir,
    keyStorage: keyStore.kind(),
    dev: devServer !== null,
  });

  handleMediaProtocol({ studio: s, appOrigin, log: (message, fields) => s.log.warn(message, fields) });

  const store = keyStore;
  const handlers = createHandlers(s, {
    keyStore: store,
    version: app.getVersion(),
    locale: app.getPreferredSystemLanguages()[0] ?? app.getLocale(),
    startSimulator: async () => {
      simulator ??= await startSimulator({ port: 0 });
      return simulator.url;
    },
    pickPath,
    confirmApiBase: async (url) => {
      const question = keyDestinationQuestion(url);
      const parent = win && !win.isDestroyed() ? win : null;
      const r = await (parent ? dialog.showMessageBox(parent, question) : dialog.showMessageBox(question));
      return r.response === ALLOW_BUTTON;
    },
  });
  cleanups.push(
    wireIpc({
      handlers,
      appOrigin,
      window: () => win,
      secrets: () => [s.settings.apiKey(), store.get()].filter((k): k is string => !!k),
      log: (message, fields) => s.log.warn(message, fields),
    }),
  );
  cleanups.push(forwardEvents(s, () => win));
  installMenu({
    appName: APP_NAME,
    platform: process.platform,
    dev: devServer !== null,
    send: (action) => sendToPage(win, 'menu', { action }),
    openDataFolder: () => openFolder(s.dataDir),
    openLogs: () => openFolder(join(s.dataDir, 'logs')),
    openWebsite: () => void openExternal(WEBSITE),
    installCommandLineTool: () =>
      void installCommandLineTool(process.execPath).then(
        () =>
          dialog.showMessageBox({
            message: 'The qwen-studio command is installed',
            detail: `${CLI_TOOL_PATH} runs this app's command line. Open a new terminal and try: qwen-studio --help`,
          }),
        (err: unknown) =>
          dialog.showErrorBox('The command line tool could not be installed', (err as Error).message),
      ),
  });

  const w = createWindow(s);
  cleanups.push(
    startNotifications({
      studio: s,
      window: () => win,
      focus: focusWindow,
      send: (event) => sendToPage(win, 'menu', event),
    }),
  );

  try {
    s.start();
  } catch (err) {
    if (err instanceof LeaseBusyError) {
      // Usually the command line working in the same folder. The library stays usable here, batches
      // queued here are run by the other one, and this window takes the queue over when it exits.
      void dialog.showMessageBox(w, {
        type: 'warning',
        title: 'Another Qwen Studio is running the queue',
        message: 'Another Qwen Studio is running the queue',
        detail:
          `${err.message}\n\nYou can browse and search the library here, and batches you queue here are run ` +
          `by the other one. When it exits, this window runs the queue itself.`,
      });
      s.startWhenFree(() => s.queue.refresh());
    } else if (err instanceof DatabaseVersionError || err instanceof MigrationChecksumError) {
      fatal('Qwen Studio cannot open this library', err.message);
    } else {
      s.log.error('the queue could not start', { error: (err as Error).message });
      void dialog.showMessageBox(w, {
        type: 'error',
        title: 'The queue could not start',
        message: 'The queue could not start',
        detail: `${(err as Error).message}\n\nThe library is still available. The log in ${join(s.dataDir, 'logs')} has details.`,
      });
    }
  }
}

/** Ends the process once stdout and stderr have written everything (pipes may be asynchronous). */
function exitAfterOutput(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => app.exit(code)));
}

// Started as `qwen-studio <command>` (or with --help / --version): the command line, before any window or
// single-instance lock. RunAsNode stays fused off; this is our own code in the main process.
const asCli = runCliIfAsked(
  {
    argv: process.argv,
    defaultApp: Boolean(process.defaultApp),
    exit: exitAfterOutput,
    prepare: () => {
      app.dock?.hide();
      app.disableHardwareAcceleration();
    },
  },
  commandNames(),
  (args) => cliMain(args),
);

if (asCli) {
  // The command line runs; nothing of the desktop app starts.
} else if (!app.requestSingleInstanceLock()) {
  // The other instance gets 'second-instance' and comes to the front.
  app.quit();
} else {
  app.on('second-instance', focusWindow);
  app.on('activate', focusWindow);
  // On macOS the app (and its queue) keeps running with no window, as Mac apps do; elsewhere closing quits.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', (event) => {
    if (quitState === 'closed') return;
    event.preventDefault();
    if (quitState === 'closing') return;
    quitState = 'closing';
    void shutdown().finally(() => {
      quitState = 'closed';
      app.quit();
    });
  });
  process.on('unhandledRejection', (reason) =>
    log('error', 'unhandled rejection', { error: String(reason) }),
  );
  startup().catch((err: unknown) => {
    if (err instanceof StartupAborted) return;
    dialog.showErrorBox('Qwen Studio could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}
