// A service's logs, read through the manager (`GET /services/{id}/logs`; workers answer 503).
// They can be read while the service exists, also after its task ended, and go with it: tjob reads
// them once the task is terminal, before the service is removed. Frames as a container's
// (FrameDemuxer, LineSplitter from the Docker runtime).

import type Docker from 'dockerode';

import { FrameDemuxer, LineSplitter, type RawLine } from '../docker/logs.js';

async function bodyOf(result: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(result)) return result;
  const chunks: Buffer[] = [];
  for await (const chunk of result as AsyncIterable<Buffer | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Every line the service's task wrote so far, in order (stdout and stderr, timestamped). */
export async function readServiceLogs(docker: Docker, serviceId: string): Promise<RawLine[]> {
  const service = docker.getService(serviceId) as unknown as {
    logs(options: Record<string, unknown>): Promise<unknown>;
  };
  const body = await bodyOf(
    await service.logs({ stdout: true, stderr: true, timestamps: true, follow: false }),
  );
  return parseServiceLogs(body);
}

/** The multiplexed body as lines. */
export function parseServiceLogs(body: Buffer): RawLine[] {
  const lines: RawLine[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  new FrameDemuxer((stream, payload) => splitter.message(stream, payload)).push(body);
  splitter.end();
  return lines;
}
