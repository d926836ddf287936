/**
 * The image a stage is building, as a private mutable working copy (one per stage planning call),
 * created from the base (scratch, an image config, or the base stage) and frozen when the stage ends.
 */

import { parseKeyValue } from '../dockerfile/stages/env-list.js';
import type { Digest } from '../oci/digest.js';
import type { PlatformSpec } from '../oci/platform.js';
import type { ContainerConfig, History, ImageConfig } from '../oci/types.js';

/** BuildKit's default PATH for Linux images that do not set one. */
export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Working copy of an image config. */
export interface WorkingImage {
  os: string;
  architecture: string;
  variant: string;
  osVersion?: string;
  author?: string;
  config: Mutable<ContainerConfig>;
  history: History[];
  diffIds: Digest[];
}

/** BuildKit's `emptyImage`: the scratch base (workdir `/`, default PATH). */
export function emptyImage(platform: PlatformSpec): WorkingImage {
  return {
    os: platform.os,
    architecture: platform.architecture,
    variant: platform.variant,
    config: { Env: [`PATH=${DEFAULT_PATH_ENV}`], WorkingDir: '/' },
    history: [],
    diffIds: [],
  };
}

function cloneConfig(config: ContainerConfig | undefined): Mutable<ContainerConfig> {
  return structuredClone({ ...(config ?? {}) }) as Mutable<ContainerConfig>;
}

/** A working copy of a base image's config (its `created` dropped, as BuildKit does). */
export function imageFromConfig(base: ImageConfig): WorkingImage {
  const image: WorkingImage = {
    os: base.os,
    architecture: base.architecture,
    variant: base.variant ?? '',
    config: cloneConfig(base.config),
    history: [...(base.history ?? [])],
    diffIds: [...base.rootfs.diff_ids],
  };
  if (base['os.version'] !== undefined) image.osVersion = base['os.version'];
  if (base.author !== undefined) image.author = base.author;
  return image;
}

/** A copy of a working image (a stage built on another stage starts from a copy of its image). */
export function cloneImage(image: WorkingImage): WorkingImage {
  return {
    ...image,
    config: cloneConfig(image.config),
    history: [...image.history],
    diffIds: [...image.diffIds],
  };
}

/** Adds `PATH=<default>` when the env has no PATH (Linux), as BuildKit does for every stage. */
export function ensurePath(image: WorkingImage): void {
  if (image.os === 'windows') return;
  const env = image.config.Env ?? [];
  if (env.some((e) => parseKeyValue(e).key === 'PATH')) return;
  image.config.Env = [...env, `PATH=${DEFAULT_PATH_ENV}`];
}

export interface FinishOptions {
  readonly created?: string;
  readonly platform: PlatformSpec;
  /** `--label` values (target stage only); they win over LABEL. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The frozen image config of a stage. */
export function finishImage(image: WorkingImage, options: FinishOptions): ImageConfig {
  const config: Mutable<ContainerConfig> = cloneConfig(image.config);
  if (options.labels !== undefined && Object.keys(options.labels).length > 0) {
    config.Labels = { ...(config.Labels ?? {}), ...options.labels };
  }
  const { platform } = options;
  const sameOsArch = platform.os === image.os && platform.architecture === image.architecture;
  const variant = platform.variant !== '' || !sameOsArch ? platform.variant : image.variant;
  const out: Mutable<ImageConfig> = {
    ...(options.created === undefined ? {} : { created: options.created }),
    ...(image.author === undefined ? {} : { author: image.author }),
    architecture: platform.architecture,
    os: platform.os,
    ...(image.osVersion === undefined || !sameOsArch ? {} : { 'os.version': image.osVersion }),
    ...(variant === '' ? {} : { variant }),
    config,
    rootfs: { type: 'layers', diff_ids: [...image.diffIds] },
    history: [...image.history],
  };
  return out;
}
