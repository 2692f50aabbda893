// One line for a whole pull, from the engine's JSON progress messages (one per layer event:
// "Pulling fs layer", "Downloading" with progressDetail, "Download complete", "Extracting",
// "Pull complete", "Already exists"): how many layers are done and how many bytes have come.
// Pure: the caller decides when to show it.

export interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
}

interface Layer {
  current: number;
  total: number;
  done: boolean;
  downloaded: boolean;
}

const layerStatus =
  /^(Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting|Pull complete|Already exists|Retrying)/;

export class PullProgress {
  private readonly layers = new Map<string, Layer>();
  /** The pull found the image up to date (nothing downloaded). */
  upToDate = false;

  constructor(private readonly image: string) {}

  add(ev: PullEvent): void {
    const status = ev.status ?? '';
    if (status.startsWith('Status: Image is up to date')) this.upToDate = true;
    if (ev.id === undefined || !layerStatus.test(status)) return;
    const layer = this.layers.get(ev.id) ?? { current: 0, total: 0, done: false, downloaded: false };
    this.layers.set(ev.id, layer);
    if (status === 'Downloading') {
      layer.current = ev.progressDetail?.current ?? layer.current;
      layer.total = ev.progressDetail?.total ?? layer.total;
    } else if (status === 'Download complete' || status === 'Verifying Checksum') {
      layer.downloaded = true;
      layer.current = layer.total;
    } else if (status === 'Pull complete') {
      layer.done = true;
      layer.downloaded = true;
      layer.current = layer.total;
    } else if (status === 'Already exists') {
      layer.done = true;
    }
  }

  /** e.g. `Pulling image "x": 1/3 layers, 1.2 MB/3.4 MB`. */
  line(): string {
    const all = [...this.layers.values()];
    if (all.length === 0) return `Pulling image "${this.image}"`;
    const done = all.filter((l) => l.done).length;
    const current = all.reduce((n, l) => n + l.current, 0);
    const total = all.reduce((n, l) => n + l.total, 0);
    const bytes = total > 0 ? `, ${formatBytes(current)}/${formatBytes(total)}` : '';
    return `Pulling image "${this.image}": ${done}/${all.length} layers${bytes}`;
  }

  /** The line once the pull ended well. */
  finished(seconds: number): string {
    if (this.upToDate) return `Image "${this.image}" is up to date`;
    const all = [...this.layers.values()];
    const fetched = all.filter((l) => l.downloaded);
    const bytes = fetched.reduce((n, l) => n + l.total, 0);
    const reused = all.length - fetched.length;
    return (
      `Pulled image "${this.image}" in ${seconds.toFixed(1)}s: ${fetched.length} layer${fetched.length === 1 ? '' : 's'} (${formatBytes(bytes)}) downloaded` +
      (reused > 0 ? `, ${reused} already present` : '')
    );
  }
}

/** Decimal units, as the docker CLI prints sizes (go-units HumanSize). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}
