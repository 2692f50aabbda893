// A container's termination message, as the kubelet makes it (pkg/kubelet/kuberuntime/
// kuberuntime_container.go, getTerminationMessage and readLastStringFromContainerLogs): a host file
// per container run, bind-mounted at its terminationMessagePath, read when the container has
// ended (at most its last 4096 bytes); with FallbackToLogsOnError, an empty or missing file and a
// non-zero exit, the last 80 lines of its log, at most their last 2048 bytes.

import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type Docker from 'dockerode';

import type { Container, ContainerStateTerminated } from '../../api/k8s.js';
import { FrameDemuxer } from './logs.js';

/** kubecontainer.MaxContainerTerminationMessageLength */
export const MaxTerminationMessageLength = 1024 * 4;
/** kubecontainer.MaxContainerTerminationMessageLogLines */
export const MaxTerminationMessageLogLines = 80;
/** kubecontainer.MaxContainerTerminationMessageLogLength */
export const MaxTerminationMessageLogLength = 1024 * 2;

/** The host file of one run of a container, below the pod's directory. */
export function terminationMessageFile(podDir: string, container: string, attempt: number): string {
  return path.join(path.resolve(podDir), 'termination-log', `${container}-${attempt}`);
}

/** Creates the (empty) file before the container is created; writable by any user in it. */
export async function createTerminationMessageFile(file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  await writeFile(file, '', { flag: 'a' }); // an adopted run's file keeps what it wrote
  await chmod(file, 0o666); // the container may run as any user; writeFile's mode meets the umask
}

/**
 * The file's last MaxTerminationMessageLength bytes (tail.ReadAtMost), and whether the logs are to
 * be read instead (fallback asked and nothing written). A missing file falls back too.
 */
export async function readTerminationMessageFile(
  file: string,
  fallbackToLogs: boolean,
): Promise<{ message: string; checkLogs: boolean }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { message: '', checkLogs: fallbackToLogs };
    return {
      message: `Error on reading termination log ${file}: ${(err as Error).message}`,
      checkLogs: false,
    };
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, MaxTerminationMessageLength);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    const message = buf.toString('utf8');
    return { message, checkLogs: fallbackToLogs && message.length === 0 };
  } finally {
    await handle.close();
  }
}

/** The last MaxTerminationMessageLogLength bytes of a log tail (the kubelet's circular buffer). */
export function lastLogBytes(tail: Buffer): string {
  return tail.subarray(Math.max(0, tail.length - MaxTerminationMessageLogLength)).toString('utf8');
}

/** The last MaxTerminationMessageLogLines lines of both streams of a container, as the engine has them. */
export async function readLogTail(container: Docker.Container, tty: boolean): Promise<string> {
  const raw = (await container.logs({
    stdout: true,
    stderr: true,
    follow: false,
    tail: MaxTerminationMessageLogLines,
  })) as unknown as Buffer;
  if (tty) return lastLogBytes(raw);
  const parts: Buffer[] = [];
  new FrameDemuxer((_stream, payload) => parts.push(payload)).push(raw);
  return lastLogBytes(Buffer.concat(parts));
}

/**
 * Whether to fall back to the logs: FallbackToLogsOnError and a non-zero exit (a container that
 * could not even run has no logs: ContainerCannotRun is left out, as upstream).
 */
export function fallsBackToLogs(spec: Container, terminated: ContainerStateTerminated): boolean {
  return (
    spec.terminationMessagePolicy === 'FallbackToLogsOnError' &&
    terminated.exitCode !== 0 &&
    terminated.reason !== 'ContainerCannotRun'
  );
}

/** The terminated state with the message appended to the runtime's own, joined by ": " as upstream. */
export function withTerminationMessage(
  terminated: ContainerStateTerminated,
  message: string,
): ContainerStateTerminated {
  if (message.length === 0) return terminated;
  return { ...terminated, message: terminated.message ? `${terminated.message}: ${message}` : message };
}
