/**
 * The OCI image model (image-spec v1.1) with the Docker schema 2 extensions kiln keeps.
 * Everything is readonly: producing a changed document means building a new value.
 * Values of these types come from the validators in `validate-*.ts`, never from a bare `JSON.parse`.
 */
import type { Digest } from './digest.js';

/** String-to-string annotations. */
export type Annotations = Readonly<Record<string, string>>;

/** An OCI platform (also the Docker manifest list `platform` object). */
export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
  readonly variant?: string;
  /** Docker manifest lists only (ignored by OCI). */
  readonly features?: readonly string[];
}

/** A content descriptor: what a blob is, where to find it, how big it is. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Annotations;
  /** Base64 embedded content; when present its bytes must match digest and size. */
  readonly data?: string;
  readonly artifactType?: string;
  /** Only meaningful on index entries. */
  readonly platform?: Platform;
}

/** Which schema family a manifest or index was read from / is to be written as. */
export type ManifestFormat = 'oci' | 'docker';

/** A single-platform image manifest (OCI image manifest or Docker schema 2 manifest). */
export interface ImageManifest {
  readonly schemaVersion: 2;
  /** Required for Docker schema 2; optional (SHOULD) for OCI. */
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Annotations;
}

/** An image index (OCI) or manifest list (Docker). */
export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Annotations;
}

/** Docker HEALTHCHECK settings, durations in nanoseconds. */
export interface HealthConfig {
  /** `[]` inherit, `["NONE"]` disabled, `["CMD", ...]` exec, `["CMD-SHELL", cmd]` shell. */
  readonly Test?: readonly string[];
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly StartPeriod?: number;
  readonly StartInterval?: number;
  readonly Retries?: number;
}

/** The execution parameters of an image (`config` in the image config), Docker extensions included. */
export interface ContainerConfig {
  readonly User?: string;
  /** Keys like `80/tcp`; values are always `{}`. */
  readonly ExposedPorts?: Readonly<Record<string, Readonly<Record<string, never>>>>;
  /** `NAME=value` entries. */
  readonly Env?: readonly string[];
  readonly Entrypoint?: readonly string[] | null;
  readonly Cmd?: readonly string[] | null;
  readonly Volumes?: Readonly<Record<string, Readonly<Record<string, never>>>> | null;
  readonly WorkingDir?: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly StopSignal?: string;
  /** Docker extension: CMD/ENTRYPOINT already escaped (Windows). */
  readonly ArgsEscaped?: boolean;
  /** Docker extension. */
  readonly Healthcheck?: HealthConfig;
  /** Docker extension: ONBUILD triggers as written. */
  readonly OnBuild?: readonly string[] | null;
  /** Docker extension: SHELL. */
  readonly Shell?: readonly string[] | null;
}

/** The layers' uncompressed digests, bottom first. */
export interface RootFS {
  readonly type: 'layers';
  readonly diff_ids: readonly Digest[];
}

/** One history entry; `empty_layer` entries have no layer in `rootfs.diff_ids`. */
export interface History {
  readonly created?: string;
  readonly created_by?: string;
  readonly author?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** An image configuration (OCI image config / Docker image JSON). */
export interface ImageConfig {
  readonly created?: string;
  readonly author?: string;
  readonly architecture: string;
  readonly os: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
  readonly variant?: string;
  readonly config?: ContainerConfig;
  readonly rootfs: RootFS;
  readonly history?: readonly History[];
}

/** The `oci-layout` marker file of an image layout directory. */
export interface ImageLayout {
  readonly imageLayoutVersion: string;
}
