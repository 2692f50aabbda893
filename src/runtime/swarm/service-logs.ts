// A service's logs, read through the manager (`GET /services/{id}/logs`; workers answer 503).
// They can be read while the service exists, also after its task ended, and go with it: tjob reads
// them once the task is terminal, before the service is removed. Frames as a container's
// (FrameDemuxer, LineSplitter from the Docker runtime).

import type Docker from 'dockerode';

import { FrameDemuxer, LineSplitter, type RawLines } from '../docker/logs.js';

async function bodyOf(result: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(result)) return result;
  const chunks: Buffer[] = [];
  for await (const chunk of result as AsyncIterable<Buffer | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Every line the service's task wrote so far, in order, one line each (stdout and stderr, timestamped). */
export async function readServiceLogs(docker: Docker, serviceId: string): Promise<RawLines[]> {
  const service = docker.getService(serviceId) as unknown as {
    logs(options: Record<string, unknown>): Promise<unknown>;
  };
  const body = await bodyOf(
    await service.logs({ stdout: true, stderr: true, timestamps: true, follow: false }),
  );
  return parseServiceLogs(body);
}

/**
 * Follows the service's logs as they are written (`follow=1`, which never ends by itself on
 * Swarm: stop() it once the task is terminal). Complete lines go to `onLines`, those of one
 * message together; a partial line at stop() is not delivered (the final readServiceLogs has it).
 */
export function followServiceLogs(
  docker: Docker,
  serviceId: string,
  onLines: (lines: RawLines) => void,
  debug: (message: string) => void,
): { stop(): void } {
  let stream: NodeJS.ReadableStream | undefined;
  let stopped = false;
  const service = docker.getService(serviceId) as unknown as {
    logs(options: Record<string, unknown>): Promise<NodeJS.ReadableStream>;
  };
  const splitter = new LineSplitter((lines) => {
    if (!stopped) onLines(lines);
  });
  const demux = new FrameDemuxer((s, payload) => splitter.message(s, payload));
  service.logs({ stdout: true, stderr: true, timestamps: true, follow: true }).then(
    (s) => {
      stream = s;
      if (stopped) return destroy(s);
      s.on('data', (chunk: Buffer) => {
        if (!stopped) demux.push(chunk);
      });
      s.on('error', (err: Error) => debug(`swarm: following the logs of ${serviceId}: ${err.message}`));
    },
    (err: unknown) => debug(`swarm: following the logs of ${serviceId}: ${(err as Error).message}`),
  );
  return {
    stop(): void {
      stopped = true;
      if (stream) destroy(stream);
    },
  };
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as unknown as { destroy?: () => void }).destroy?.();
}

/** The multiplexed body as lines, one RawLines each (so a reader can skip the lines it has). */
export function parseServiceLogs(body: Buffer): RawLines[] {
  const lines: RawLines[] = [];
  const splitter = new LineSplitter((chunk) => {
    let start = 0;
    for (let end = chunk.text.indexOf('\n'); end >= 0; end = chunk.text.indexOf('\n', start)) {
      lines.push({ stream: chunk.stream, time: chunk.time, text: chunk.text.slice(start, end + 1) });
      start = end + 1;
    }
  });
  new FrameDemuxer((stream, payload) => splitter.message(stream, payload)).push(body);
  splitter.end();
  return lines;
}
