// The kubelet's EnsureImageExists for one container of a running job's pod
// (pkg/kubelet/images/image_manager.go): its image under its pull policy, pulled with the pod's
// imagePullSecrets (from its plan, as env values from Secrets come) then the user's Docker config,
// behind the per pod+image backoff (src/runtime/image-pull-backoff.ts). What it returns is the
// container's waiting state while the image cannot be had: ErrImagePull after a failed pull,
// ImagePullBackOff while backing off, ErrImageNeverPull for a missing image under Never. As up
// front, a registry that cannot be reached leaves a present image in use (deviation 1).
//
// The pod supervisor calls `ensure` before creating a container and, given a waiting state, shows
// it on the container and calls again at the pod's next sync (docs/images-and-registries.md).
// Events as the image manager records them (pkg/kubelet/images/image_manager.go; reasons from
// pkg/kubelet/events/event.go): Pulling, Pulled, Failed, BackOff, ErrImageNeverPull.

import type Docker from 'dockerode';

import { ImageUnavailableError } from '../../api/errors.js';
import type { Container } from '../../api/k8s.js';
import type { PodEvent } from '../../ports/pod-runtime.js';
import { pullSecretsOf, type PodPlan } from '../../api/pod.js';
import { defaultPullPolicy } from '../../manifest/pod-defaults.js';
import { ImagePullBackOff, type ImagePullWaiting } from '../image-pull-backoff.js';
import type { CredentialSource } from '../registry/credentials.js';
import { parseImageReference } from '../registry/reference.js';
import { ensureImage, ImagePullFailure } from './images.js';

/**
 * How long a registry that could not be reached at all is not asked again for a present image's
 * digest: offline, every container start of an `Always` image would otherwise wait for the failed
 * lookup (a second here) only to use the local copy anyway (deviation 1).
 */
export const UNREACHABLE_REGISTRY_MEMORY_MS = 60_000;

/** ErrImageNeverPull (images.ErrImageNeverPull): the image is missing and the policy forbids a pull. */
export interface ImageNeverPullWaiting {
  reason: 'ErrImageNeverPull';
  message: string;
}

export type ContainerImageWaiting = ImagePullWaiting | ImageNeverPullWaiting;

export interface PodImagePullerDeps {
  docker: Docker;
  credentials: CredentialSource;
  now: () => Date;
  backoff?: ImagePullBackOff;
  debug?: (message: string) => void;
}

export class PodImagePuller {
  private readonly backoff: ImagePullBackOff;
  /** Registry host → until when it counts as unreachable (see UNREACHABLE_REGISTRY_MEMORY_MS). */
  private readonly unreachable = new Map<string, number>();

  constructor(private readonly deps: PodImagePullerDeps) {
    this.backoff = deps.backoff ?? new ImagePullBackOff();
  }

  /**
   * Makes `container`'s image available for the pod of `plan`; undefined when it is there, else
   * the waiting state to show (never holding a credential). Engine connection errors are thrown.
   */
  async ensure(
    plan: PodPlan,
    container: Container,
    record: (event: PodEvent) => void = () => undefined,
  ): Promise<ContainerImageWaiting | undefined> {
    const image = container.image ?? '';
    const registry = parseImageReference(image).domain;
    const declared = container.imagePullPolicy ?? defaultPullPolicy(image);
    // A registry unreachable a moment ago: a present image is used as it is, a missing one pulled.
    const offline = (this.unreachable.get(registry) ?? 0) > this.deps.now().getTime();
    const pullPolicy = declared === 'Always' && offline ? 'IfNotPresent' : declared;
    const waiting =
      pullPolicy === 'Never' ? undefined : this.backoff.beforePull(plan.uid, image, this.deps.now());
    if (waiting) {
      record({ type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${image}"` });
      return waiting;
    }
    let pulling = false;
    const startedMs = this.deps.now().getTime();
    const announce = (): void => {
      if (pulling) return;
      pulling = true;
      record({ type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"` });
    };
    try {
      const outcome = await ensureImage(
        this.deps.docker,
        { image, pullPolicy, pullSecrets: pullSecretsOf(plan.spec, plan.secrets) },
        {
          credentials: this.deps.credentials,
          onProgress: announce,
          ...(this.deps.debug ? { debug: this.deps.debug } : {}),
        },
      );
      if (outcome.kind === 'local-copy') {
        this.unreachable.set(registry, this.deps.now().getTime() + UNREACHABLE_REGISTRY_MEMORY_MS);
        this.deps.debug?.(`pod ${plan.name}: ${outcome.warning}`);
      }
      if (outcome.kind === 'pulled') {
        this.backoff.pullSucceeded(this.deps.now());
        const seconds = (this.deps.now().getTime() - startedMs) / 1000;
        record({
          type: 'Normal',
          reason: 'Pulled',
          message: `Successfully pulled image "${image}" in ${seconds.toFixed(3)}s`,
        });
      }
      return undefined;
    } catch (err) {
      if (
        pullPolicy === 'Never' &&
        err instanceof ImageUnavailableError &&
        !(err instanceof ImagePullFailure)
      ) {
        const message = `Container image "${image}" is not present with pull policy of Never`;
        record({ type: 'Warning', reason: 'ErrImageNeverPull', message });
        return { reason: 'ErrImageNeverPull', message };
      }
      if (err instanceof ImagePullFailure) {
        // A refusal of the digest lookup (Always with a local copy) is a pull that failed too.
        announce();
        const failed = this.backoff.pullFailed(plan.uid, image, this.deps.now(), err.reason);
        record({ type: 'Warning', reason: 'Failed', message: failed.message });
        return failed;
      }
      throw err;
    }
  }
}
