// Runs README command lines as a reader would type them: through bash, in a scratch directory
// that has the repository's `samples` and `bin` (so relative paths work as shown), with `tjob` on
// the PATH (as `npm link` would put it) and a state directory of its own.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { outcomeOf, removeContainersLabelled, ROOT, type Outcome } from '../cli/tjob-cli.js';
import type { Job } from '../../../src/api/k8s.js';
import { tempDir } from '../../support/jobs.js';

export { ROOT };

export interface Workspace {
  cwd: string;
  state: string;
  env: Record<string, string>;
}

export function workspace(extraEnv: Record<string, string> = {}): Workspace {
  const cwd = tempDir('tjob-docs-');
  symlinkSync(join(ROOT, 'samples'), join(cwd, 'samples'));
  symlinkSync(join(ROOT, 'bin'), join(cwd, 'bin'));
  const shim = join(cwd, '.path');
  mkdirSync(shim);
  writeFileSync(
    join(shim, 'tjob'),
    `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'tjob.js')}" "$@"\n`,
  );
  chmodSync(join(shim, 'tjob'), 0o755);
  const state = join(cwd, '.state');
  const env = {
    PATH: `${shim}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    TJOB_STATE_DIR: state,
    NO_COLOR: '1',
    ...extraEnv,
  };
  return { cwd, state, env };
}

/** Starts one README command line under bash (`exec`, so signals reach tjob itself). */
export function startLine(line: string, ws: Workspace): { child: ChildProcess; done: Promise<Outcome> } {
  const single = !/[|&;<>]/.test(line);
  const child = spawn('bash', ['-c', single ? `exec ${/^\w+=/.test(line) ? 'env ' : ''}${line}` : line], {
    cwd: ws.cwd,
    env: { ...process.env, ...ws.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, done: outcomeOf(child) };
}

export function line(cmd: string, ws: Workspace): Promise<Outcome> {
  return startLine(cmd, ws).done;
}

/** The stored Job, as `tjob get job NAME -o json` prints it. */
export function getJob(name: string, ws: Workspace): Job {
  const out = execFileSync(
    process.execPath,
    [join(ROOT, 'bin', 'tjob.js'), 'get', 'job', name, '-o', 'json'],
    {
      cwd: ws.cwd,
      env: { ...process.env, ...ws.env },
    },
  ).toString();
  return JSON.parse(out) as Job;
}

export function terminalReason(job: Job): string | undefined {
  return job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  )?.reason;
}

/** Removes the containers a workspace's jobs left (by the job uids it recorded), then the workspace. */
export function cleanup(ws: Workspace, uids: string[] = []): void {
  for (const uid of uids) removeContainersLabelled(`io.tjob.job-uid=${uid}`);
  rmSync(ws.cwd, { recursive: true, force: true });
}

export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The little of a Kubernetes API server that `kubectl apply -f -` talks to for Jobs: discovery,
 * the OpenAPI v3 document that tells kubectl the server validates fields itself, GET (NotFound)
 * and POST (recorded). Returns a kubeconfig path and the objects kubectl created.
 */
export async function fakeApiServer(dir: string): Promise<{
  kubeconfig: string;
  created: Array<Record<string, unknown>>;
  close: () => Promise<void>;
}> {
  const created: Array<Record<string, unknown>> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const p = new URL(req.url ?? '/', 'http://x').pathname;
      const json = (code: number, obj: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      const notFound = (message: string) =>
        json(404, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
          message,
        });
      const batch = { groupVersion: 'batch/v1', version: 'v1' };
      if (req.method === 'GET' && p === '/version')
        return json(200, { major: '1', minor: '34', gitVersion: 'v1.34.0' });
      if (req.method === 'GET' && p === '/api') return json(200, { kind: 'APIVersions', versions: ['v1'] });
      if (req.method === 'GET' && p === '/apis')
        return json(200, {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: [{ name: 'batch', versions: [batch], preferredVersion: batch }],
        });
      if (req.method === 'GET' && p === '/api/v1')
        return json(200, { kind: 'APIResourceList', groupVersion: 'v1', resources: [] });
      if (req.method === 'GET' && p === '/apis/batch/v1')
        return json(200, {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: 'batch/v1',
          resources: [
            {
              name: 'jobs',
              singularName: 'job',
              namespaced: true,
              kind: 'Job',
              verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
            },
          ],
        });
      if (req.method === 'GET' && p === '/openapi/v3')
        return json(200, {
          paths: { 'apis/batch/v1': { serverRelativeURL: '/openapi/v3/apis/batch/v1?hash=1' } },
        });
      if (req.method === 'GET' && p === '/openapi/v3/apis/batch/v1')
        return json(200, {
          openapi: '3.0.0',
          info: { title: 'fake', version: 'v1' },
          paths: {
            '/apis/batch/v1/namespaces/{namespace}/jobs/{name}': {
              patch: {
                'x-kubernetes-group-version-kind': { group: 'batch', version: 'v1', kind: 'Job' },
                parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
                responses: {},
              },
            },
          },
          components: { schemas: {} },
        });
      const m = /^\/apis\/batch\/v1\/namespaces\/[^/]+\/jobs(?:\/([^/]+))?$/.exec(p);
      if (m && req.method === 'GET') return notFound(`jobs.batch "${m[1] ?? ''}" not found`);
      if (m && req.method === 'POST') {
        const obj = JSON.parse(body) as Record<string, unknown>;
        created.push(obj);
        return json(201, obj);
      }
      return notFound('not found');
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: fake, cluster: {server: "http://127.0.0.1:${port}"}}]`,
      'contexts: [{name: fake, context: {cluster: fake, namespace: default}}]',
      'current-context: fake',
      'users: []',
      '',
    ].join('\n'),
  );
  return {
    kubeconfig,
    created,
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}

/** Every line of every results file under DIR (the work-queue samples' record of processed items). */
export function resultLines(files: string[]): string[] {
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== ''),
  );
}
