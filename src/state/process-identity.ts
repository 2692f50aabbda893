// A process is identified by its pid and its start time, so a reused pid is not mistaken for the
// process that once held a lease.

import { readFileSync, readlinkSync } from 'node:fs';

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

let ownPidNamespace: string | undefined | null = null;

/**
 * This process's pid namespace (`pid:[4026531836]`), undefined without /proc. Two processes of
 * different namespaces (a container beside its host) sharing a state directory cannot check each
 * other's pids: a pid names another process there, or none.
 */
export function pidNamespace(): string | undefined {
  if (ownPidNamespace === null) {
    try {
      ownPidNamespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      ownPidNamespace = undefined;
    }
  }
  return ownPidNamespace;
}

export function isProcessAlive(pid: number, start?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (start === undefined || start === '') return true;
  const now = processStartTime(pid);
  return now === undefined || now === start;
}
