// PersistentVolumeClaim validation (pkg/apis/core/validation ValidatePersistentVolumeClaim), for the
// claims tjob stores: a name, access modes, a storage request.

import type { PersistentVolumeClaim } from '../api/k8s.js';
import { dedupe, fe, type PathError } from './field-errors.js';
import { validateObjectMeta } from './meta-validation.js';
import { quantityValue } from './quantity.js';

export const AccessModes = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
const VolumeModes = ['Block', 'Filesystem'];

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): PathError[] {
  const errs = validateObjectMeta(pvc.metadata);
  const spec = pvc.spec ?? {};
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) errs.push(fe.required('spec.accessModes', 'at least 1 access mode is required'));
  for (const m of modes)
    if (!AccessModes.includes(m)) errs.push(fe.notSupported('spec.accessModes', m, AccessModes));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1)
    errs.push(fe.forbidden('spec.accessModes', 'may not use ReadWriteOncePod with other access modes'));
  const storage = spec.resources?.requests?.['storage'];
  if (storage === undefined) errs.push(fe.required('spec.resources[storage]'));
  else {
    const q = quantityValue(storage);
    if (q === undefined || q <= 0)
      errs.push(fe.invalid('spec.resources[storage]', storage, 'must be greater than zero'));
  }
  if (spec.volumeMode !== undefined && !VolumeModes.includes(spec.volumeMode))
    errs.push(fe.notSupported('spec.volumeMode', spec.volumeMode, VolumeModes));
  return dedupe(errs);
}
