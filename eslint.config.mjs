// Lint for berth's own code (npm test runs it): the recommended rules of ESLint and typescript-eslint,
// with the house's habits allowed: `a && b()` and `c ? x() : y()` as statements, names starting with
// `_` for what is deliberately unused, an empty `catch {}` (best-effort cleanup), and control characters
// in regular expressions (a terminal tool matches ANSI escapes).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config({ ignores: ['dist/**', 'node_modules/**', '.node/**', '.test-engine/**', 'completions/**'] }, js.configs.recommended, ...tseslint.configs.recommended, {
  languageOptions: {
    globals: {
      process: 'readonly',
      console: 'readonly',
      Buffer: 'readonly',
      setTimeout: 'readonly',
      clearTimeout: 'readonly',
      setInterval: 'readonly',
      clearInterval: 'readonly',
      URL: 'readonly',
      AbortController: 'readonly',
      AbortSignal: 'readonly',
      TextDecoder: 'readonly',
      TextEncoder: 'readonly',
      fetch: 'readonly',
      queueMicrotask: 'readonly',
      setImmediate: 'readonly',
      performance: 'readonly',
      structuredClone: 'readonly',
    },
  },
  rules: {
    '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    'no-empty': ['error', { allowEmptyCatch: true }],
    'no-control-regex': 'off',
  },
});
