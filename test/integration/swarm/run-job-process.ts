// A tjob process of its own for the kill -9 test: runs one stored job of a state directory on a
// Swarm manager until it ends (or is killed). Usage: node run-job-process.js ROOT JOB SOCKET
import { runJob, swarmRuntime } from '../../support/swarm-jobs.js';

const [root, name, socket] = process.argv.slice(2) as [string, string, string];
const runtime = swarmRuntime(socket);
const { FileStore } = await import('../../../src/state/file-store.js');
const loaded = await new FileStore(root).loadJob(name);
if (!loaded) throw new Error(`no job ${name} in ${root}`);
const { end } = await runJob(runtime, loaded.job, root);
await runtime.close();
process.stdout.write(`${end}\n`);
