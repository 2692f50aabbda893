// The PersistentVolumeClaims stored by `tjob apply` or `tjob run`, each bound to a volume at once
// (src/api/claims.ts), and kept until `tjob delete pvc`.

import type { PersistentVolumeClaim } from '../api/k8s.js';

export interface ClaimStore {
  /** Every stored claim, by name. */
  listClaims(): Promise<PersistentVolumeClaim[]>;
  loadClaim(name: string): Promise<PersistentVolumeClaim | undefined>;
  /**
   * Stores a new claim bound to its volume; an existing one is kept as it is, and a change of its
   * spec is refused (UsageError) as the API server does.
   */
  saveClaim(pvc: PersistentVolumeClaim, now: Date, uid: string): Promise<'created' | 'unchanged'>;
  /** Records the deletion request (pvc-protection keeps the claim while pods use it). */
  markClaimTerminating(name: string, now: Date): Promise<PersistentVolumeClaim | undefined>;
  removeClaim(name: string): Promise<void>;
}
