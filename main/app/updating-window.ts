// The small window a one-time catalog update shows while it runs (migrations run in the main process
// before the app's window can open; on a large library that is long enough to look like a hang). The main
// process closes it when the update ends.
import { BrowserWindow } from 'electron';
import { updatingPage, updatingWords } from './updating-page.ts';

/** Shows the window and waits until it has painted, so it stays up while the update blocks this process. */
export async function showUpdatingWindow(locale: string): Promise<BrowserWindow> {
  const win = new BrowserWindow({
    width: 480,
    height: 150,
    resizable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    show: false,
    title: updatingWords(locale).title,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  const painted = new Promise<void>((resolve) => win.once('ready-to-show', () => resolve()));
  await win.loadURL(updatingPage(locale));
  await painted;
  win.show();
  // A moment for the window system to put it on screen before this process is busy with the update.
  await new Promise<void>((resolve) => setTimeout(resolve, 100));
  return win;
}
