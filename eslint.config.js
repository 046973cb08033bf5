import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'packages/contracts/src/gen/**', '.pinzhi/**', 'test/bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Handlers, codecs and test helpers work with wire data of unknown shape.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: 'CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name="only"]', message: 'no focused tests' },
      ],
    },
  },
  {
    // Domain code is pure (STYLE.md habit 1): no transport, broker or database in src/domain.
    files: ['services/*/src/domain/**/*.ts', 'packages/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@grpc/*', 'kafkajs', 'kafkajs/*', 'mongodb', 'mongodb/*', '@pinzhi/platform', '@pinzhi/contracts', '@pinzhi/contracts/*'], message: 'src/domain must stay pure: translate in an adapter instead.' },
          ],
        },
      ],
    },
  },
);
