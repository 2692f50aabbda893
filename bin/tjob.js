#!/usr/bin/env node
// `tjob --version` answers without loading the command tree (start-up benchmark: within 1.5× of node);
// `tjob version` also asks the engine, so it goes through the commands.
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  import('../dist/src/cli/version.js').then((m) => process.stdout.write(`${m.VERSION}\n`));
} else {
  import('../dist/src/cli/main.js').then((m) => m.main(process.argv));
}
