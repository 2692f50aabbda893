// What tjob does with each field on one machine: honoured, approximated (with how), or ignored
// (with why). The table is keyed by `<owner type>.<field>`; a field not in it is honoured, and
// a classified object field covers everything under it. Ignored fields that a cluster would act
// on (scheduling, probes, ...) produce the one-per-document warning.

import type { FieldClass, FieldReport, FieldReportEntry } from './types.js';
import type { PresentField } from './strict-fields.js';
import { parseType } from './schema.js';

interface Rule {
  class: FieldClass;
  note: string;
  /** Part of the "has no effect on one node" warning. */
  warn?: boolean;
}

const ignoredNode = (note: string): Rule => ({ class: 'ignored', note, warn: true });
const approx = (note: string): Rule => ({ class: 'approximated', note });
const ignored = (note: string): Rule => ({ class: 'ignored', note });

const otherVolume = approx('no storage provider on one node: mounted as an empty directory');

export const FieldRules: Readonly<Record<string, Rule>> = {
  // ObjectMeta
  'ObjectMeta.namespace': approx('recorded; tjob has one namespace per state directory'),
  'ObjectMeta.uid': ignored('assigned by tjob'),
  'ObjectMeta.resourceVersion': ignored('assigned by tjob'),
  'ObjectMeta.selfLink': ignored('server-set field'),
  'ObjectMeta.generation': ignored('server-set field'),
  'ObjectMeta.creationTimestamp': ignored('assigned by tjob'),
  'ObjectMeta.deletionTimestamp': ignored('server-set field'),
  'ObjectMeta.deletionGracePeriodSeconds': ignored('server-set field'),
  'ObjectMeta.ownerReferences': ignored('no garbage collector for foreign owners'),
  'ObjectMeta.finalizers': ignored('no finalizer controllers'),
  'ObjectMeta.managedFields': ignored('server-set field'),
  // kinds
  'Job.status': ignored('status is computed by tjob'),
  'CronJob.status': ignored('status is computed by tjob'),
  'ConfigMap.immutable': approx('recorded; tjob apply refuses to change it'),
  'Secret.immutable': approx('recorded; tjob apply refuses to change it'),
  'Secret.type': approx('recorded; only the data is used'),
  'PersistentVolumeClaim.status': ignored('status is computed by tjob'),
  'PersistentVolumeClaimSpec.resources': approx(
    'recorded as the capacity; Docker volumes have no size limit',
  ),
  'PersistentVolumeClaimSpec.accessModes': approx('recorded; one node: every mode lets its pods mount it'),
  'PersistentVolumeClaimSpec.storageClassName': approx('recorded; the one provisioner is Docker volumes'),
  'PersistentVolumeClaimSpec.volumeMode': approx('Filesystem only: a Docker volume is a directory'),
  'PersistentVolumeClaimSpec.volumeName': ignored('tjob binds the claim to a volume of its own'),
  'PersistentVolumeClaimSpec.selector': ignored('no PersistentVolumes to select'),
  'PersistentVolumeClaimSpec.dataSource': ignored('no snapshots or cloning: the volume starts empty'),
  'PersistentVolumeClaimSpec.dataSourceRef': ignored('no snapshots or cloning: the volume starts empty'),
  'PersistentVolumeClaimSpec.volumeAttributesClassName': ignored('no volume attributes classes'),
  // PodSpec: scheduling and cluster services
  'PodSpec.nodeSelector': ignoredNode('one node: nothing to select'),
  'PodSpec.affinity': ignoredNode('one node: nothing to select'),
  'PodSpec.tolerations': ignoredNode('one node: no taints'),
  'PodSpec.topologySpreadConstraints': ignoredNode('one node: no topology'),
  'PodSpec.nodeName': ignoredNode('one node'),
  'PodSpec.schedulerName': ignoredNode('no scheduler'),
  'PodSpec.priorityClassName': ignoredNode('no scheduler or preemption'),
  'PodSpec.priority': ignoredNode('no scheduler or preemption'),
  'PodSpec.preemptionPolicy': ignoredNode('no scheduler or preemption'),
  'PodSpec.schedulingGates': ignoredNode('no scheduler'),
  'PodSpec.serviceAccountName': ignoredNode('no service accounts or API tokens'),
  'PodSpec.serviceAccount': ignoredNode('no service accounts or API tokens'),
  'PodSpec.automountServiceAccountToken': ignoredNode('no service accounts or API tokens'),
  'PodSpec.runtimeClassName': ignoredNode('one runtime: Docker'),
  'PodSpec.overhead': ignoredNode('no scheduler accounting'),
  'PodSpec.readinessGates': ignoredNode('no readiness consumers'),
  'PodSpec.resourceClaims': ignoredNode('no dynamic resource allocation'),
  'PodSpec.os': ignoredNode('the engine decides the OS'),
  'PodSpec.enableServiceLinks': ignoredNode('no Services'),
  'PodSpec.setHostnameAsFQDN': ignoredNode('no cluster DNS'),
  'PodSpec.dnsPolicy': approx(
    "no cluster DNS: ClusterFirst and ClusterFirstWithHostNet use the node's resolver, as a kubelet without cluster DNS falls back to Default; None uses dnsConfig alone",
  ),
  'PodSpec.hostAliases': {
    class: 'honoured',
    note: "written to the pod's /etc/hosts (Docker's --add-host on the container that owns its network)",
  },
  'PodSpec.dnsConfig': approx(
    "nameservers, searches and options written to the pod's resolv.conf, after the node's unless dnsPolicy is None (then the engine's options stay if none are given)",
  ),
  'PodSpec.ephemeralContainers': ignored('not part of a create'),
  'PodSpec.hostUsers': ignoredNode('no user namespaces'),
  'PodSpec.hostnameOverride': ignoredNode('alpha field'),
  'PodSpec.securityContext': approx(
    'runAsUser/runAsGroup/supplementalGroups applied, fsGroup added as a group, seccompProfile Unconfined applied; SELinux and sysctls ignored',
  ),
  'PodSpec.resources': ignored('no pod-level cgroup'),
  'PodSpec.terminationGracePeriodSeconds': {
    class: 'honoured',
    note: 'SIGTERM, then SIGKILL after the grace period',
  },
  // Container
  'Container.livenessProbe': ignoredNode('probes are not run'),
  'Container.readinessProbe': ignoredNode('probes are not run; ready = running'),
  'Container.startupProbe': ignoredNode('probes are not run'),
  'Container.lifecycle': ignoredNode('lifecycle hooks are not run'),
  'Container.ports': ignored('containers share the pod network, nothing is published'),
  'Container.resizePolicy': ignoredNode('no in-place resize'),
  'Container.restartPolicyRules': ignoredNode('alpha field'),
  'Container.volumeDevices': ignoredNode('no block devices'),
  'Container.terminationMessagePath': {
    class: 'honoured',
    note: "a host file mounted there; what the container wrote becomes its state's message",
  },
  'Container.terminationMessagePolicy': {
    class: 'honoured',
    note: 'FallbackToLogsOnError: the log tail (80 lines, 2048 bytes) on an error exit with no message',
  },
  'Container.securityContext': approx(
    'runAsUser/runAsGroup, privileged, capabilities, readOnlyRootFilesystem applied; the rest ignored',
  ),
  'ResourceRequirements.requests': approx(
    'seen by the downward API (resourceFieldRef); no scheduler on one node',
  ),
  'ResourceRequirements.limits': approx('cpu and memory applied as Docker limits (--cpus, --memory)'),
  'ResourceRequirements.claims': ignoredNode('no dynamic resource allocation'),
  'Container.imagePullPolicy': approx(
    'images are made available before the job starts; an Always pull whose registry cannot be reached falls back to the local image (deviation 1, docs/deviations.md)',
  ),
  'EphemeralContainer.targetContainerName': ignored('not part of a create'),
  // Volumes
  'Volume.persistentVolumeClaim': approx(
    'a Docker named volume bound to the stored claim, kept until `tjob delete pvc`; the pod waits (Pending) for a missing claim',
  ),
  'Volume.nfs': otherVolume,
  'Volume.csi': otherVolume,
  'Volume.ephemeral': approx('a Docker named volume made for the pod and removed with it'),
  'Volume.image': otherVolume,
  'Volume.gcePersistentDisk': otherVolume,
  'Volume.awsElasticBlockStore': otherVolume,
  'Volume.gitRepo': otherVolume,
  'Volume.iscsi': otherVolume,
  'Volume.glusterfs': otherVolume,
  'Volume.rbd': otherVolume,
  'Volume.flexVolume': otherVolume,
  'Volume.cinder': otherVolume,
  'Volume.cephfs': otherVolume,
  'Volume.flocker': otherVolume,
  'Volume.fc': otherVolume,
  'Volume.azureFile': otherVolume,
  'Volume.vsphereVolume': otherVolume,
  'Volume.quobyte': otherVolume,
  'Volume.azureDisk': otherVolume,
  'Volume.photonPersistentDisk': otherVolume,
  'Volume.portworxVolume': otherVolume,
  'Volume.scaleIO': otherVolume,
  'Volume.storageos': otherVolume,
  'EmptyDirVolumeSource.medium': approx('Memory becomes a tmpfs mount'),
  'EmptyDirVolumeSource.sizeLimit': approx('the size of a medium Memory tmpfs; no eviction otherwise'),
  'VolumeProjection.serviceAccountToken': ignoredNode('no service account tokens'),
  'VolumeProjection.clusterTrustBundle': ignoredNode('no cluster trust bundles'),
  'VolumeProjection.podCertificate': ignoredNode('no pod certificates'),
  'VolumeMount.mountPropagation': approx(
    'bind propagation rprivate/rslave/rshared on bind-mounted volumes; persistentVolumeClaim and ephemeral volumes stay rprivate',
  ),
  // Jobs
  'JobSpec.ttlSecondsAfterFinished': approx(
    'deleted by whichever tjob process runs when it expires (deviation 3, docs/deviations.md)',
  ),
  'JobSpec.managedBy': {
    class: 'honoured',
    note: 'any other value than kubernetes.io/job-controller: tjob leaves the job alone',
  },
  'CronJobSpec.timeZone': { class: 'honoured', note: 'without it the machine’s local zone is used' },
};

/** Classifies the fields present in one document. */
export function buildFieldReport(
  source: string,
  kind: string,
  name: string,
  present: PresentField[],
): FieldReport {
  const fields: FieldReportEntry[] = [];
  const covered: string[] = [];
  for (const f of present) {
    if (covered.some((c) => f.path.startsWith(c))) continue;
    const rule = FieldRules[`${f.owner}.${f.field}`];
    if (rule) {
      fields.push({ path: f.path, class: rule.class, note: rule.note });
      covered.push(`${f.path}.`, `${f.path}[`);
      continue;
    }
    const t = parseType(f.type);
    const leaf = t.kind === 'primitive' || t.kind === 'map' || (t.kind === 'list' && !isObjectType(t.of));
    if (leaf && f.field !== 'apiVersion' && f.field !== 'kind')
      fields.push({ path: f.path, class: 'honoured' });
  }
  return { source, kind, name, fields };
}

function isObjectType(t: string): boolean {
  return parseType(t).kind === 'object';
}

/** The ignored fields that deserve the single-node warning. */
export function warnableIgnored(present: PresentField[]): string[] {
  return present.filter((f) => FieldRules[`${f.owner}.${f.field}`]?.warn).map((f) => f.path);
}

/** Plain-text rendering of field reports (for `tjob validate` and `run --dry-run`). */
export function formatFieldReport(reports: FieldReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.source}: ${r.kind} ${r.name}`);
    for (const cls of ['honoured', 'approximated', 'ignored'] as const) {
      const fs = r.fields.filter((f) => f.class === cls);
      if (fs.length === 0) continue;
      lines.push(`  ${cls}:`);
      for (const f of fs) lines.push(f.note ? `    ${f.path}: ${f.note}` : `    ${f.path}`);
    }
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}
