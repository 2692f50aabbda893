// claims/<name>.json: the PersistentVolumeClaims, each bound to its volume when stored.

import { boundClaim, sameClaimSpec } from '../api/claims.js';
import { UsageError } from '../api/errors.js';
import type { PersistentVolumeClaim } from '../api/k8s.js';
import type { ClaimStore } from '../ports/claims.js';
import { ObjectFolder } from './object-folder.js';
import type { StateDirectory } from './state-directory.js';

export class FileClaimStore implements ClaimStore {
  private readonly folder: ObjectFolder<PersistentVolumeClaim>;

  constructor(dir: StateDirectory) {
    this.folder = new ObjectFolder(dir, 'claims');
  }

  async listClaims(): Promise<PersistentVolumeClaim[]> {
    return this.folder.list();
  }

  async loadClaim(name: string): Promise<PersistentVolumeClaim | undefined> {
    return (await this.listClaims()).find((c) => c.metadata.name === name);
  }

  /**
   * Stores a new claim bound to its volume (src/api/claims.ts); an existing one is kept as it is, and a
   * change of its spec is refused as the API server does.
   */
  async saveClaim(pvc: PersistentVolumeClaim, now: Date, uid: string): Promise<'created' | 'unchanged'> {
    const existing = await this.loadClaim(pvc.metadata.name);
    if (existing) {
      if (!sameClaimSpec(existing, pvc))
        throw new UsageError(
          `PersistentVolumeClaim "${pvc.metadata.name}" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims`,
          `delete it first with \`tjob delete pvc ${pvc.metadata.name}\` (its data goes with it)`,
        );
      return 'unchanged';
    }
    await this.folder.save(pvc.metadata.name, boundClaim(pvc, now, uid));
    return 'created';
  }

  /** Records the deletion request (pvc-protection keeps the claim while pods use it). */
  async markClaimTerminating(name: string, now: Date): Promise<PersistentVolumeClaim | undefined> {
    const pvc = await this.loadClaim(name);
    if (!pvc || pvc.metadata.deletionTimestamp) return pvc;
    pvc.metadata.deletionTimestamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
    await this.folder.save(name, pvc);
    return pvc;
  }

  async removeClaim(name: string): Promise<void> {
    await this.folder.remove(name);
  }
}
