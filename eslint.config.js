// Lint is where the layers are enforced: shared/ is pure, the engine never touches Electron, and the
// renderer never reaches into the main process.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
];
const nodePatterns = [{ group: ['node:*'], message: 'shared/ and renderer/ must not import Node modules.' }];
const nodeNames = NODE_BUILTINS.map((name) => ({ name, message: 'no Node built-ins here.' }));

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
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeNames, { name: 'electron', message: 'shared/ must not import Electron.' }],
          patterns: [
            ...nodePatterns,
            { group: ['**/main/**', '**/renderer/**'], message: 'shared/ imports only shared/.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer'],
    },
  },
  {
    files: ['main/engine/**/*.ts', 'main/simulator/**/*.ts', 'main/cli.ts', 'main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'the engine runs in any Node process: no Electron here.' }],
          patterns: [
            { group: ['**/renderer/**'], message: 'the engine never imports the renderer.' },
            { group: ['**/app/**'], message: 'the engine never imports the Electron shell.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeNames,
            { name: 'electron', message: 'the renderer talks to the engine only through the contract.' },
          ],
          patterns: [...nodePatterns, { group: ['**/main/**'], message: 'renderer/ never imports main/.' }],
        },
      ],
    },
  },
);
