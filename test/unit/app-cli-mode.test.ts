// The app's executable as the `qwen-studio` command: which arguments make it the CLI, and that the CLI then
// runs with its output and exit code intact (Electron stood in for by a host object, as in the other
// app tests).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandNames, main } from '../../main/cli.ts';
import type { Io } from '../../main/cli/common.ts';
import { installCommandLineTool } from '../../main/app/cli-install.ts';
import { cliArgsOf, runCliIfAsked, type CliHost } from '../../main/app/cli-mode.ts';
import pkg from '../../package.json' with { type: 'json' };
import { tempDir } from '../helpers/tmp.ts';

// electron-builder's own YAML reader, as in app-security.test.ts.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const EXE = '/opt/Qwen Studio/qwen-studio';
const COMMANDS = commandNames();
const { dir, cleanup } = tempDir('qs-appcli-');
afterAll(() => cleanup());

/** Electron's part, recorded: what the app would have done. */
function host(argv: string[], defaultApp = false) {
  const calls: string[] = [];
  const h: CliHost = {
    argv,
    defaultApp,
    exit: (code) => calls.push(`exit ${code}`),
    prepare: () => calls.push('prepare'),
  };
  return { h, calls };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, env: {} };
  return { io, out, err, run: (args: string[]) => main(args, io) };
}

describe('the app executable as the command line', () => {
  it('knows every CLI command, and help', () => {
    for (const name of ['run', 'resume', 'status', 'search', 'export', 'import', 'simulator', 'help'])
      expect(COMMANDS).toContain(name);
  });

  it('is the desktop app without arguments, with Chromium switches, a file, or macOS’s -psn', () => {
    for (const argv of [
      [EXE],
      [EXE, '--no-sandbox'],
      [EXE, '--enable-logging', 'status'],
      [EXE, '/home/me/pictures/cat.png'],
      ['/Applications/Qwen Studio.app/Contents/MacOS/Qwen Studio', '-psn_0_12345'],
    ])
      expect(cliArgsOf(argv, false, COMMANDS), argv.join(' ')).toBeNull();
    // `electron .` in a checkout: the folder is not an argument.
    expect(cliArgsOf(['/usr/lib/electron', '.'], true, COMMANDS)).toBeNull();
    expect(cliArgsOf(['/usr/lib/electron', '.', 'status'], true, COMMANDS)).toEqual(['status']);
  });

  it('does nothing at all when it is the app', () => {
    const { h, calls } = host([EXE]);
    expect(runCliIfAsked(h, COMMANDS, () => Promise.resolve(0))).toBeNull();
    expect(calls).toEqual([]);
  });

  it('runs the CLI with its output and exit code: --version, a usage mistake, a real command', async () => {
    const v = capture();
    const a = host([EXE, '--version']);
    await runCliIfAsked(a.h, COMMANDS, v.run);
    expect(a.calls).toEqual(['prepare', 'exit 0']);
    expect(v.out).toEqual([pkg.version]);

    const typo = capture();
    const b = host([EXE, 'status', '--jsn']);
    await runCliIfAsked(b.h, COMMANDS, typo.run);
    expect(b.calls).toEqual(['prepare', 'exit 2']);
    expect(typo.err.join('\n')).toMatch(/unknown option '--jsn'\n\(Did you mean --json\?\)/);

    const status = capture();
    const c = host([EXE, 'status', '--json', '--data-dir', join(dir, 'data')]);
    await runCliIfAsked(c.h, COMMANDS, status.run);
    expect(c.calls).toEqual(['prepare', 'exit 0']);
    expect(JSON.parse(status.out.join('\n'))).toMatchObject({ batches: [] });
  });

  it('still exits (code 1) if the command line itself throws', async () => {
    const { h, calls } = host([EXE, 'status']);
    await runCliIfAsked(h, COMMANDS, () => Promise.reject(new Error('boom')));
    expect(calls).toEqual(['prepare', 'exit 1']);
  });
});

describe('macOS: Install Command Line Tool', () => {
  it('writes a launcher that runs the executable with every argument, whatever its path holds', async () => {
    // A stand-in executable (Node itself) behind a path with a space and a quote, as "Qwen Studio.app" has.
    const appDir = join(dir, "Qwen Studio's.app");
    mkdirSync(appDir);
    const exe = join(appDir, 'node');
    symlinkSync(process.execPath, exe);
    const target = join(dir, 'usr-local-bin', 'qwen-studio');
    await installCommandLineTool(exe, target);
    expect(statSync(target).mode & 0o777).toBe(0o755);
    const r = spawnSync(target, ['-p', 'process.argv.slice(1).join("|")', 'a b', '$HOME'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('a b|$HOME\n');
  });
});

describe('electron-builder puts qwen-studio on the PATH', () => {
  const root = join(import.meta.dirname, '../..');
  const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
    linux: { target: string[]; executableName: string };
    nsis: { include: string };
  };

  it('deb and rpm: the after-install link is /usr/bin/<executableName>, so the name must be qwen-studio', () => {
    expect(config.linux.executableName).toBe('qwen-studio');
    expect(config.linux.target).toEqual(expect.arrayContaining(['deb', 'rpm', 'AppImage']));
  });

  it('Windows: the installer script writes qwen-studio.cmd and adds the folder to the user PATH, and undoes both', () => {
    const nsh = readFileSync(join(root, config.nsis.include), 'utf8');
    const install = nsh.slice(nsh.indexOf('!macro customInstall'), nsh.indexOf('!macro customUnInstall'));
    const uninstall = nsh.slice(nsh.indexOf('!macro customUnInstall'));
    expect(install).toMatch(/FileOpen \$0 "\$INSTDIR\\qwen-studio\.cmd" w/);
    expect(install).toContain('@"%~dp0${PRODUCT_FILENAME}.exe" %*');
    expect(install).toMatch(/SetEnvironmentVariable\('Path', \(\(\$\$keep \+ \$\$d\) -join ';'\), 'User'\)/);
    expect(uninstall).toContain('Delete "$INSTDIR\\qwen-studio.cmd"');
    expect(uninstall).toMatch(/SetEnvironmentVariable\('Path', \(\$\$keep -join ';'\), 'User'\)/);
  });
});
