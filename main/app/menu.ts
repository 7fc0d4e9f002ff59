// The native menus: the platform's usual roles (so copy/paste, undo, zoom and window management behave as
// everywhere else) plus the studio's own commands. Commands that belong to the page are sent to it as a
// `menu` event on the studio:event channel (see page-events.ts).
import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuAction } from './page-events.ts';

export interface MenuOptions {
  appName: string;
  platform: NodeJS.Platform;
  /** Development builds get reload and developer tools in the View menu. */
  dev: boolean;
  send: (action: MenuAction) => void;
  openDataFolder: () => void;
  openLogs: () => void;
  openWebsite: () => void;
  /** macOS: put the `qwen-studio` command in /usr/local/bin (cli-install.ts). */
  installCommandLineTool: () => void;
}

export function menuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const mac = o.platform === 'darwin';
  // The page handles its own shortcuts (it must: in the browser there is no native menu), so these
  // accelerators are only displayed, not registered — a registered one would swallow the key before the page
  // sees it, or fire the action twice.
  const page = (label: string, action: MenuAction, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator, registerAccelerator: false } : {}),
    click: () => o.send(action),
  });

  const appMenu: MenuItemConstructorOptions[] = mac
    ? [
        {
          label: o.appName,
          submenu: [
            { role: 'about' },
            { type: 'separator' },
            { label: 'Install Command Line Tool…', click: o.installCommandLineTool },
            { type: 'separator' },
            { role: 'services' },
            { type: 'separator' },
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            { type: 'separator' },
            { role: 'quit' },
          ],
        },
      ]
    : [];

  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      page('New Batch', 'new-batch', 'CmdOrCtrl+N'),
      page('Run Batch', 'run', 'CmdOrCtrl+Enter'),
      { type: 'separator' },
      { label: 'Open Data Folder', click: o.openDataFolder },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      page('Compose', 'focus-compose', 'CmdOrCtrl+1'),
      page('Queue', 'focus-queue', 'CmdOrCtrl+2'),
      page('Library', 'focus-library', 'CmdOrCtrl+3'),
      { type: 'separator' },
      ...(o.dev
        ? ([
            { role: 'reload' },
            { role: 'forceReload' },
            { role: 'toggleDevTools' },
            { type: 'separator' },
          ] as const)
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  return [
    ...appMenu,
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
    {
      role: 'help',
      label: 'Help',
      submenu: [
        { label: 'Open Data Folder', click: o.openDataFolder },
        { label: 'Open Logs', click: o.openLogs },
        { type: 'separator' },
        { label: 'skills.video Website', click: o.openWebsite },
      ],
    },
  ];
}

export function installMenu(o: MenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(o)));
}
