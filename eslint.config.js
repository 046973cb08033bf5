import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// A package's src/ is private to it: others use its package.json `exports` (`@pinzhi/x`,
// `@pinzhi/x/testing`), so a refactor inside one service cannot break another's build.
// A relative path that climbs out and then into some `<dir>/src` is another package's; a
// service's own tests climb straight into `../src`, which stays allowed.
const foreignSrc = {
  regex: '^(\\.\\./)+(?!\\.\\./)[^/]+/(.+/)?src(/|$)',
  message:
    'another package\'s src/ is private: import its public face (@pinzhi/<name> or @pinzhi/<name>/testing) and add it to package.json with "workspace:*".',
};
const foreignSrcByName = {
  group: ['@pinzhi/*/src', '@pinzhi/*/src/**'],
  message: foreignSrc.message,
};

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
      'no-restricted-imports': ['error', { patterns: [foreignSrc, foreignSrcByName] }],
    },
  },
  {
    // Domain code is pure (STYLE.md habit 1): no transport, broker or database in src/domain.
    // This replaces the options above for these files, so it repeats the src/ patterns.
    files: ['services/*/src/domain/**/*.ts', 'packages/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // `paths` matches the name exactly, so `@pinzhi/catalogue-reader/model` stays allowed
          // (a `group` entry would also refuse every subpath under it).
          paths: [
            {
              name: '@pinzhi/catalogue-reader',
              message: 'src/domain must stay pure: this barrel loads the MongoDB reader; import @pinzhi/catalogue-reader/model.',
            },
          ],
          patterns: [
            {
              group: ['@grpc/*', 'kafkajs', 'kafkajs/*', 'mongodb', 'mongodb/*', '@pinzhi/platform', '@pinzhi/contracts', '@pinzhi/contracts/*'],
              message: 'src/domain must stay pure: translate in an adapter instead.',
            },
            foreignSrc,
            foreignSrcByName,
          ],
        },
      ],
    },
  },
);
