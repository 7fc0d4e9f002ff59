// Lint is where the layers are enforced (DESIGN.md, "Layers a machine checks"). eslint-plugin-boundaries
// classifies every file into an element and allows only the imports listed below; anything not allowed is an
// error. test/unit/layers.test.ts lints probe imports through this file to show each rule bites.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Node's own list (with and without `node:`), so a new built-in is covered without editing this file.
const NODE_BUILTINS = [
  ...new Set(builtinModules.flatMap((m) => [m, `node:${m}`, `node:${m.replace(/^node:/, '')}`])),
];
/** Packages that exist only in a browser page. */
const DOM_ONLY = [
  'react',
  'react-dom',
  'react-dom/*',
  'react/*',
  'react-i18next',
  'zustand',
  'zustand/*',
  '@tanstack/*',
];
/** Packages with native code: main process only. */
const NATIVE_GROUP = {
  names: ['better-sqlite3', 'sharp'],
  message: 'native packages load only in the main process.',
};

// Every folder is an element; the few files that stand alone at a folder's root (the engine's front door,
// its logger, the CLI's entry, the preload) are classified as files. Selectors below name either.
const elements = [
  { type: 'shared', partialMatch: false, pattern: 'shared/**' },
  { type: 'engine', partialMatch: false, pattern: 'main/engine/*/**', capture: ['layer', 'file'] },
  { type: 'simulator', partialMatch: false, pattern: 'main/simulator/**' },
  { type: 'cli', partialMatch: false, pattern: 'main/cli/**' },
  { type: 'bridge', partialMatch: false, pattern: 'main/bridge/**' },
  { type: 'app', partialMatch: false, pattern: 'main/app/**' },
  { type: 'renderer', partialMatch: false, pattern: 'renderer/**' },
  { type: 'test', partialMatch: false, pattern: 'test/**' },
];
const files = [
  // The engine's base: its logger, its one error type and its one redaction rule, under every other layer.
  { category: 'engine-log', pattern: 'main/engine/{log,errors,redact}.ts' },
  { category: 'engine-entry', pattern: 'main/engine/{studio,handlers}.ts' },
  // The stores, scheduler and library behind a Studio: for the engine's own tests, never a front door.
  { category: 'engine-internals', pattern: 'main/engine/internals.ts' },
  { category: 'cli', pattern: 'main/cli.ts' },
  { category: 'preload', pattern: 'main/preload.ts' },
];
const el = (type) => ({ element: { type } });
const file = (category) => ({ file: { categories: category } });

// The engine's folders, lowest first: each imports only the folders before it (and itself), so no two engine
// folders can import each other. `services` are the per-domain ways in; `entry` is studio.ts (which builds
// them) and handlers.ts (the contract over them); `media` serves files to a transport through it.
const ENGINE_LAYERS = [
  'log',
  'files',
  'search',
  'api',
  'store',
  'batch',
  'library',
  'scheduler',
  'services',
  'entry',
  'media',
];
const engine = (layer) =>
  layer === 'log'
    ? file('engine-log')
    : layer === 'entry'
      ? file('engine-entry')
      : { element: { type: 'engine', captured: { layer } } };
const allow = (...selectors) => ({ allow: { to: selectors } });

/** What the CLI, the bridge and the app may use of the engine: its front door, not its insides. */
const ENGINE_FRONT = [engine('entry'), engine('services'), engine('media'), engine('files')];
const CLI = [el('cli'), file('cli')];

const policies = [
  { from: el('shared'), ...allow(el('shared')) },
  ...ENGINE_LAYERS.map((layer, i) => ({
    from: engine(layer),
    ...allow(
      el('shared'),
      ...ENGINE_LAYERS.slice(0, i + 1).map(engine),
      ...(layer === 'entry' ? [file('engine-internals')] : []),
    ),
  })),
  {
    from: file('engine-internals'),
    ...allow(el('shared'), ...['log', 'library', 'scheduler', 'store'].map(engine)),
  },
  { from: el('simulator'), ...allow(el('shared'), el('simulator')) },
  ...CLI.map((from) => ({
    from,
    ...allow(el('shared'), ...CLI, el('simulator'), engine('log'), ...ENGINE_FRONT),
  })),
  {
    from: el('bridge'),
    ...allow(el('shared'), el('bridge'), ...CLI, el('simulator'), engine('log'), ...ENGINE_FRONT),
  },
  // The app's executable doubles as the command line (main/app/cli-mode.ts), so the app may run the CLI.
  {
    from: el('app'),
    ...allow(el('shared'), el('app'), el('simulator'), ...CLI, engine('log'), ...ENGINE_FRONT),
  },
  { from: file('preload'), ...allow(el('shared'), el('app')) },
  { from: el('renderer'), ...allow(el('shared'), el('renderer')) },
  { from: el('test'), allow: { to: { origin: 'local' } } },
];

/** `no-restricted-imports` for packages and built-ins (boundaries above handles our own folders). */
function forbid(...groups) {
  const paths = [];
  const patterns = [];
  for (const { names, message } of groups) {
    for (const name of names) {
      if (name.includes('*')) patterns.push({ group: [name], message });
      else paths.push({ name, message });
    }
  }
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}
const BUILTINS = { names: [...NODE_BUILTINS, 'node:*'], message: 'no Node built-ins here.' };
const ELECTRON = {
  names: ['electron', 'electron/*'],
  message: 'only main/app/ and the preload use Electron.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['bin/**/*.mjs', '*.config.js', '*.config.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: [
      'main/**/*.ts',
      'shared/**/*.ts',
      'renderer/**/*.ts',
      'renderer/**/*.tsx',
      'test/**/*.ts',
      'test/**/*.tsx',
    ],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/files': files,
      'boundaries/include': ['main/**', 'shared/**', 'renderer/**', 'test/**'],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies,
          message:
            '{{from.type}} may not import {{to.type}} {{to.captured.layer}} (eslint.config.js lists the layers).',
        },
      ],
      'boundaries/no-unknown-files': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      ...forbid(BUILTINS, ELECTRON, NATIVE_GROUP, {
        names: DOM_ONLY,
        message: 'shared/ runs in the page and in Node: no DOM-only packages.',
      }),
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer'],
    },
  },
  {
    files: [
      'main/engine/**/*.ts',
      'main/simulator/**/*.ts',
      'main/cli.ts',
      'main/cli/**/*.ts',
      'main/bridge/**/*.ts',
    ],
    rules: forbid({
      names: ELECTRON.names,
      message: 'the engine, the CLI and the bridge run in any Node process: no Electron.',
    }),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: forbid(BUILTINS, ELECTRON, NATIVE_GROUP),
  },
);
