// Lint rules that encode the house style: no `any`, the two "only one module may" rules
// (only src/executors/process.ts spawns processes; only src/db/ opens SQLite), and a client
// that never loads the server.
import tseslint from 'typescript-eslint';

const spawners = ['execa', 'node-pty', 'child_process', 'node:child_process'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'static/vendor/**', 'bin/**'] },
  ...tseslint.configs.recommended,
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
    files: ['src/db/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: spawners.map((name) => ({ name, message: 'Only src/executors/process.ts spawns processes.' })) }] },
  },
);
