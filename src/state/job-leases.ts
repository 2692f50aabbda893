// jobs/<name>/lease.json: the process that drives the job (the lease file's rules: lease-file.ts).
// While this process holds it, its copy of the job's record is the current one (job-records.ts).

import { join } from 'node:path';
import type { JobLeases } from '../ports/job-leases.js';
import type { Lease, LeaseHolder } from '../ports/lease.js';
import type { FileJobRecords } from './job-records.js';
import { acquireLeaseFile, leaseFileHolder } from './lease-file.js';
import type { StateDirectory } from './state-directory.js';

const LEASE_FILE = 'lease.json';

export class FileJobLeases implements JobLeases {
  constructor(
    private readonly dir: StateDirectory,
    private readonly records: FileJobRecords,
  ) {}

  async acquireJobLease(name: string, command: string): Promise<Lease | LeaseHolder> {
    await this.dir.init();
    // A full or read-only disk is the state directory's error, with its hint, not a bare ENOSPC.
    const got = await acquireLeaseFile(
      join(this.dir.jobDir(name), LEASE_FILE),
      command,
      `job "${name}"`,
    ).catch((err: unknown) => {
      throw this.dir.writeError(err);
    });
    if (!('renew' in got)) return got;
    this.records.startDriving(name);
    return {
      ...got,
      release: async () => {
        this.records.stopDriving(name);
        await got.release();
      },
    };
  }

  async jobLeaseHolder(name: string): Promise<LeaseHolder | undefined> {
    return leaseFileHolder(join(this.dir.jobDir(name), LEASE_FILE));
  }
}
