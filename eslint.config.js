// Lint with the layering rule of DESIGN.md section 4.8:
// core/ imports nothing from the UIs or their frameworks; UIs use core/api only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const uiFrameworks = ['electron', 'react', 'react/*', 'react-dom', 'react-dom/*', 'ink', 'ink-*'];
const uiDirs = ['**/main/**', '**/renderer/**', '**/tui/**'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'build/**', 'dist/**', 'renderer/dist/**', 'main/dist/**', 'test/**/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: uiDirs, message: 'core/ must not import from main/, renderer/ or tui/ (DESIGN.md 4.8).' },
          { group: uiFrameworks, message: 'core/ must not import electron, react or ink (DESIGN.md 4.8).' },
        ],
      }],
    },
  },
  {
    files: ['core/tcp/**/*.ts', 'core/listen/**/*.ts', 'core/wire/**/*.ts'],
    rules: {
      // DESIGN.md 4.3: the protocol core is sans-IO; clock and randomness are injected.
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'performance'],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Inject the clock (DESIGN.md 4.3).' },
        { object: 'Math', property: 'random', message: 'Inject randomness (DESIGN.md 4.3).' },
      ],
    },
  },
  {
    // The command-line subcommands in tui/commands may host a lab; the views may not.
    files: ['tui/ui/**/*.ts', 'tui/ui/**/*.tsx', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/core/*', '!**/core/api', '!**/core/api/**'], message: 'UIs import only core/api (DESIGN.md 4.8).' },
        ],
      }],
    },
  },
);
