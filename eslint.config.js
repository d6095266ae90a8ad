// Lint rules that encode the house style: ESLint's and typescript-eslint's recommended rules, no `any`, the two "only one module may" rules
// (only src/executors/process.ts spawns processes; only src/db/ opens SQLite), and a client
// that never loads the server.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// What SQL text looks like: a statement's opening words, or a clause only SQL has.
const SQL = String.raw`/\b(SELECT\s+.+\s+FROM|INSERT\s+(OR\s+\w+\s+)?INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET|CREATE\s+(TABLE|INDEX|VIEW|TRIGGER)|PRAGMA\s+\w+|\w+\s+IN\s+\(SELECT)\b/i`;
const spawners = ['execa', 'node-pty', 'child_process', 'node:child_process'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'static/vendor/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Escaping, stripping and matching terminal control characters is the point of the
    // regular expressions that contain them (pages, ANSI colours, labels, tests of both).
    rules: { 'no-control-regex': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], languageOptions: { globals: { ...globals.node } } },
  { files: ['static/js/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        paths: [
          ...spawners.map((name) => ({ name, message: 'Only src/executors/process.ts spawns processes.' })),
          { name: 'better-sqlite3', message: 'Only src/db/ opens SQLite.' },
        ],
      }],
    },
  },
  {
    files: ['src/executors/process.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'better-sqlite3', message: 'Only src/db/ opens SQLite.' }] }] },
  },
  {
    // The client talks to a jobgate over HTTP only: it never loads the server's code.
    files: ['src/client/**/*.ts', 'src/cli/commands/**/*.ts', 'src/cli/format/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...spawners.map((name) => ({ name, message: 'Only src/executors/process.ts spawns processes.' })), { name: 'better-sqlite3', message: 'Only src/db/ opens SQLite.' }],
        patterns: [{ group: ['**/db/**', '**/domain/**', '**/executors/**', '**/output/**', '**/http/**', '**/auth/**', '**/config/**', '**/server.js', '**/app.js'], message: 'Client code talks to jobgate over HTTP; it must not load the server.' }],
      }],
    },
  },
  {
    // SQL lives in src/db/ only: the rest of jobgate asks with typed filters, which the
    // repositories compile themselves (so no SQL text ever travels up or down the layers).
    files: ['src/**/*.ts'],
    ignores: ['src/db/**'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: `Literal[value=${SQL}]`, message: 'SQL belongs in src/db/: pass a typed filter instead.' },
        { selector: `TemplateElement[value.raw=${SQL}]`, message: 'SQL belongs in src/db/: pass a typed filter instead.' },
      ],
    },
  },
  {
    files: ['src/db/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: spawners.map((name) => ({ name, message: 'Only src/executors/process.ts spawns processes.' })) }] },
  },
);
