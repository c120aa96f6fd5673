// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'tmp/', 'coverage/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        performance: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.object.name='process'][object.property.name='env'][property.name='NODE_ENV']",
          message: 'inject config instead of branching on NODE_ENV',
        },
      ],
    },
  },
  {
    // Size limits, so no unit grows back into one that does everything: a file past 450 lines or a function past 100
    // (blank lines and comments not counted; IIFEs count as functions) is split by responsibility. React components
    // count as functions too. Tests are linted with a looser bound on file size and none on function length: a
    // describe() block is one function that holds a whole suite, and splitting it would only scatter the cases.
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      // Counted on Prettier's output (a long call wraps to one argument per line), blank lines and comments aside.
      'max-lines': ['error', { max: 450, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    files: ['tests/**/*.{ts,tsx}'],
    rules: { 'max-lines': ['error', { max: 800, skipBlankLines: true, skipComments: true }] },
  },
  {
    // A React component's markup is one JSX expression, a line per element: 80 lines of it is a small view. Components
    // get room for their markup; their logic still belongs in hooks and sub-components.
    files: ['src/web/**/*.tsx'],
    rules: { 'max-lines-per-function': ['error', { max: 150, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    // The browser app: DOM globals, and the rules of hooks.
    files: ['src/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Tool configuration in CommonJS (dependency-cruiser reads it with require).
    files: ['*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['scripts/**/*.mjs', 'src/web/public/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // The layering rule: only repositories, the db layer and benchmarks may build SQL.
    files: ['src/**/*.ts'],
    ignores: ['src/server/db/**', 'src/server/**/*.repository.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kysely', message: 'SQL lives in repositories (*.repository.ts) and src/server/db only' },
            { name: 'better-sqlite3', message: 'SQL lives in src/server/db only' },
          ],
        },
      ],
    },
  },
  {
    // The browser-safe modules must not reach into the server or Node.
    files: ['src/contracts/**/*.ts', 'src/web/**/*.ts', 'src/web/**/*.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/**', 'node:*'], message: 'contracts are shared with the browser' }] }] },
  },
);
