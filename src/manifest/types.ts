// Types of the manifest module's public API (the Kubernetes object types are in src/api/k8s.ts).

import type { FieldError } from '../api/errors.js';
import type { ConfigMap, CronJob, Job, KubeObject, PersistentVolumeClaim, Secret } from '../api/k8s.js';

/** One input text: a file's contents, or standard input (`name` is `<stdin>`). */
export interface ManifestSource {
  name: string;
  text: string;
}

/** `--set NAME=VALUE` values and `--items` (each item expands the sources once, with ITEM set). */
export interface TemplateParams {
  set?: Record<string, string>;
  items?: string[];
}

export interface LoadOptions {
  /** UID for each Job (default: node:crypto randomUUID). */
  uid?: () => string;
  /** [0, 1) random source for generateName (default Math.random). */
  random?: () => number;
  /** Names of ConfigMaps/Secrets stored earlier (tjob apply): references to them are fine. */
  knownConfigMaps?: readonly string[];
  knownSecrets?: readonly string[];
}

export type FieldClass = 'honoured' | 'approximated' | 'ignored';

export interface FieldReportEntry {
  /** `spec.template.spec.nodeSelector` */
  path: string;
  class: FieldClass;
  /** Why, for approximated and ignored fields. */
  note?: string;
}

/** What tjob does with each field of one document. */
export interface FieldReport {
  /** `job.yaml (document 2)` */
  source: string;
  kind: string;
  name: string;
  fields: FieldReportEntry[];
}

/** One parsed document, valid or not. */
export interface LoadedDocument {
  /** `job.yaml (document 2)`, `job.yaml (item apple)`. */
  source: string;
  file: string;
  /** Index of the document in its file, from 1. */
  document: number;
  /** The --items item this document was expanded for. */
  item?: string;
  /** The defaulted object (undefined when the document could not be typed). */
  object?: KubeObject;
  /** The expanded user manifest with kubectl-acceptable defaults (for `tjob render`). */
  rendered?: KubeObject;
}

export interface LoadResult {
  jobs: Job[];
  cronJobs: CronJob[];
  configMaps: ConfigMap[];
  secrets: Secret[];
  /** PersistentVolumeClaims, stored when a job is created or applied (they outlive it). */
  claims: PersistentVolumeClaim[];
  /** Lines to print on stderr, each starting `Warning: `. */
  warnings: string[];
  report: FieldReport[];
  documents: LoadedDocument[];
  /** Every error of every document; empty when all are valid. */
  errors: FieldError[];
}
