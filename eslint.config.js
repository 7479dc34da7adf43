// Lint: TypeScript-aware rules, plus the boundary that keeps shared/ and workflows/ free of I/O.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'fs/promises', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'stream/promises', 'url', 'util', 'worker_threads', 'vm', 'events', 'zlib', 'dns', 'tls', 'process', 'buffer'];
const builtinMessage = 'shared/ and workflows/ run in the browser and the workflow sandbox: no Node built-ins.';

/** Deterministic, I/O-free code: runs in the browser and in Temporal's workflow sandbox. */
const boundary = (extra) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: nodeBuiltins.map((name) => ({ name, message: builtinMessage, allowTypeImports: true })),
      patterns: [
        { group: ['node:*'], message: builtinMessage, allowTypeImports: true },
        { group: ['react', 'react/*', 'react-dom', 'react-dom/*', '@xyflow/*', 'monaco-editor', 'monaco-editor/*'], message: 'No UI code here.', allowTypeImports: true },
        { group: ['dexie', 'hono', 'hono/*', '@hono/*', 'pg', '@electric-sql/*', 'drizzle-orm', 'drizzle-orm/*'], message: 'No storage or HTTP code here.', allowTypeImports: true },
        { group: ['**/runtime/**', '**/web/**'], message: 'Runtime and web code may depend on shared/, not the other way.', allowTypeImports: true },
        ...extra,
      ],
    },
  ],
});

/** Only the connection service decrypts secrets: nothing else may hold the cipher (runtime/secrets/cipher.ts). */
const secretsPatterns = [
  { group: ['**/secrets/cipher'], message: 'Only runtime/connections/service.ts decrypts secrets: open a session or ask the connection service instead.' },
  {
    group: ['**/secrets'],
    importNames: ['createCipher', 'SecretCipher'],
    message: 'Only runtime/connections/service.ts decrypts secrets: pass the key to createConnectionService and open sessions through it.',
  },
];

/** Routes and executors reach connectors through runtime/connections (the one door), never a connector folder. */
const connectorPatterns = [
  {
    group: ['**/connectors', '**/connectors/**'],
    message: 'API routes and executors reach connectors only through runtime/connections (the connection service, its SessionOpener and re-exported types).',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', '.venv/**', '.tmp/**', 'test-results/**', 'playwright-report/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    // workflows/ is the worker's workflow bundle and nothing else: what other code needs from it (which steps a
    // pipeline owns, terminal statuses) lives in shared/. Types (the workflow's input and result) may be imported.
    // Its own rule name, so it adds to every other folder's no-restricted-imports instead of replacing it.
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['workflows/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/workflows', '**/workflows/*', '**/workflows/**'], message: 'Only the workflow bundle imports workflows/ (types aside): put what others need in shared/.', allowTypeImports: true }] },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: boundary([{ group: ['@temporalio/*'], message: 'shared/ does not know about Temporal.', allowTypeImports: true }]),
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: boundary([
      { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'], message: 'Workflow code imports only @temporalio/workflow (activities as types).', allowTypeImports: true },
    ]),
  },
  // One door to connectors (docs/architecture.md, "One door to connectors"). Later blocks override earlier ones'
  // `no-restricted-imports`, so the routes' and executors' block repeats the secrets rule.
  {
    files: ['runtime/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['runtime/connections/service.ts', 'runtime/secrets/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: secretsPatterns }] },
  },
  {
    files: ['runtime/api/**/*.ts', 'runtime/executors/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...connectorPatterns, ...secretsPatterns] }] },
  },
  {
    // The web app talks to the server through the route contracts in shared/api/routes, never through server code.
    files: ['web/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/runtime/**', '**/workflows/**'], message: 'web/ imports shared/ (route contracts in shared/api/routes), never runtime/ or workflows/.' }] },
      ],
    },
  },
);
