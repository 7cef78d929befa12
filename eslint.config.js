import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const focusedTests = {
  selector:
    'CallExpression[callee.property.name=/^(only|skip|todo)$/][callee.object.name=/^(it|test|describe)$/]',
  message: 'Focused, skipped or todo tests must not land.',
};

const clockMessage =
  'Read the time through src/lib/clock.ts (now(), nowDate()): tests pin that clock, and a direct Date.now() / new Date() escapes it, so the suite would depend on the real date (issue 12).';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '.wrangler',
      'dist',
      'worker-configuration.d.ts',
      'test-results',
      '.bench',
      'public',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': ['error', focusedTests],
    },
  },
  {
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Issue 12: product code and workerd tests read the time only through src/lib/clock.ts, so a
    // pinned clock reaches every path (requests, counters, alarms, flushes, scheduled publishing).
    files: ['src/**', 'test/**'],
    ignores: ['src/lib/clock.ts', 'test/e2e/**', 'test/node/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        focusedTests,
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: clockMessage,
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: clockMessage,
        },
      ],
    },
  },
  {
    files: ['scripts/**', '*.config.*', '.ci/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
