// Lint rules, including the import boundaries of ARCHITECTURE.md#layers:
//   api/types ← manifest ← controller ← engine ← adapters ← cli
// Only the Docker and Swarm adapters import dockerode; the controller and the kubelet module (src/runtime/kubelet)
// do no I/O and read no clock; only the CLI touches process.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const io = [
  'node:fs',
  'node:fs/promises',
  'node:child_process',
  'node:net',
  'node:http',
  'node:os',
  'fs',
  'child_process',
];
const noDockerode = {
  name: 'dockerode',
  message: 'Only src/runtime/docker and src/runtime/swarm may import dockerode.',
};
const pattern = (group, message) => ({ group, message });
/** no-restricted-imports: dockerode (and `paths`) by name, and the `patterns`. */
const restrictImports = (patterns, paths = []) => ['error', { paths: [noDockerode, ...paths], patterns }];
const noIo = (message) => io.map((name) => ({ name, message }));
const noProcess = ['error', { name: 'process', message: 'Only the CLI touches process.' }];
/** no-restricted-syntax: the clock (`message`) and the timers, which belong to the Clock port. */
const noClock = (message, ...timers) => [
  'error',
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message },
  ...timers.map((name) => ({
    selector: `CallExpression[callee.name='${name}']`,
    message: 'Timers belong to the Clock port.',
  })),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'samples/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [noDockerode] }],
    },
  },
  {
    // The web view's page script runs in the browser.
    files: ['src/ui/assets/**'],
    languageOptions: {
      globals: Object.fromEntries(
        ['document', 'window', 'location', 'history', 'fetch', 'EventSource', 'URL', 'URLSearchParams'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
  {
    files: ['src/runtime/docker/**', 'src/runtime/swarm/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/api/**', 'src/schedule/**', 'src/controller/**', 'src/output/**'],
    rules: {
      'no-restricted-imports': restrictImports(
        [
          pattern(
            ['**/engine/**', '**/runtime/**', '**/state/**', '**/cli/**'],
            'Pure modules import only api, manifest and controller.',
          ),
        ],
        noIo('Pure modules do no I/O.'),
      ),
      'no-restricted-globals': noProcess,
      'no-restricted-syntax': noClock('Take now as an argument.', 'setTimeout'),
    },
  },
  {
    // The kubelet's decisions serve every runtime (Docker now, Swarm next): they reach containers
    // only through the KubeletRuntime they are given, and time only through the Clock port.
    files: ['src/runtime/kubelet/**'],
    rules: {
      'no-restricted-imports': restrictImports(
        [
          pattern(
            ['**/runtime/docker/**', '**/docker/**', '**/engine/**', '**/state/**', '**/cli/**'],
            'The kubelet module is runtime-independent: a runtime implements KubeletRuntime.',
          ),
        ],
        noIo('The kubelet module does no I/O.'),
      ),
      'no-restricted-globals': noProcess,
      'no-restricted-syntax': noClock('Time comes from the Clock port.', 'setTimeout', 'setInterval'),
    },
  },
  {
    files: ['src/manifest/**'],
    rules: {
      'no-restricted-imports': restrictImports([
        pattern(
          ['**/controller/**', '**/engine/**', '**/runtime/**', '**/state/**', '**/cli/**'],
          'manifest imports only api.',
        ),
      ]),
      'no-restricted-globals': noProcess,
    },
  },
  {
    // The CLI is the composition root: program.ts alone assembles the commands. A command takes
    // what it shares with others from a module outside src/cli/commands (args/, open-state.ts, ...).
    files: ['src/cli/**'],
    ignores: ['src/cli/program.ts'],
    rules: {
      'no-restricted-imports': restrictImports([
        pattern(['**/commands/*'], 'Only src/cli/program.ts imports the commands.'),
      ]),
    },
  },
  {
    files: ['src/cli/commands/**'],
    rules: {
      'no-restricted-imports': restrictImports([
        pattern(
          ['./*', '**/commands/*'],
          'A command does not import another: move what both need into a module of src/cli.',
        ),
      ]),
    },
  },
  {
    files: ['src/engine/**', 'src/ports/**'],
    rules: {
      'no-restricted-imports': restrictImports([
        pattern(
          ['**/runtime/**', '**/state/**', '**/cli/**'],
          'The engine talks to adapters only through ports.',
        ),
      ]),
      'no-restricted-globals': noProcess,
    },
  },
);
