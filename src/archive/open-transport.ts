/**
 * From a parsed transport location to an `ImageSource` / `ImageDestination`.
 */
import type { Writable } from 'node:stream';
import { ErrorCode, KilnError } from '../errors.js';
import type { LocalStore } from '../store/local-store.js';
import { ArchiveOutput, type ArchiveTarget } from './archive-output.js';
import { DockerArchiveDestination, repoTag } from './docker-archive-destination.js';
import { DockerArchiveSource } from './docker-archive-source.js';
import { extractArchive } from './extract-archive.js';
import { archiveSink, directorySink, OciLayoutDestination } from './layout-destination.js';
import { archiveLayout, directoryLayout, OciLayoutSource } from './layout-source.js';
import { StoreDestination, StoreSource } from './store-transport.js';
import type { ImageDestination, ImageSource } from './transport.js';
import type { ImagePick, TransportSpec } from './transport-spec.js';

/** Registry transport hooks (`docker://REF`); `registryTransport()` (registry-transport.ts) makes them. */
export interface RegistryTransport {
  source(ref: string): Promise<ImageSource>;
  destination(ref: string): Promise<ImageDestination>;
}

/** What opening a transport may need. */
export interface TransportContext {
  /** The local store (for `kiln:` locations). */
  readonly store?: () => Promise<LocalStore>;
  readonly registry?: RegistryTransport;
  /** Parent directory for unpacked archives (default the OS temp dir). */
  readonly tmpDir?: string;
  readonly signal?: AbortSignal;
  /** Writes to this stream instead of a file when an archive destination's path is `-`. */
  readonly stdout?: Writable;
}

function needStore(context: TransportContext): () => Promise<LocalStore> {
  if (context.store === undefined) throw new KilnError(ErrorCode.Usage, 'no kiln store is available here');
  return context.store;
}

function needRegistry(context: TransportContext): RegistryTransport {
  if (context.registry === undefined) {
    throw new KilnError(ErrorCode.Usage, 'the docker:// transport is not available here', {
      hint: 'pull the image into the store first (kiln pull), then use kiln:REF',
    });
  }
  return context.registry;
}

/** Opens a location for reading. Close the source when done. */
export async function openSource(spec: TransportSpec, context: TransportContext = {}): Promise<ImageSource> {
  const extract = (file: string) =>
    extractArchive(file, {
      ...(context.tmpDir !== undefined ? { tmpDir: context.tmpDir } : {}),
      ...(context.signal !== undefined ? { signal: context.signal } : {}),
    });
  switch (spec.kind) {
    case 'kiln':
      return new StoreSource(await needStore(context)(), spec.ref);
    case 'docker':
      return needRegistry(context).source(spec.ref);
    case 'oci':
      return new OciLayoutSource(directoryLayout(spec.dir), spec.pick);
    case 'oci-archive': {
      const archive = await extract(spec.file);
      return new OciLayoutSource(
        archiveLayout(archive, `oci-archive:${spec.file}`),
        spec.pick,
        archive.close,
      );
    }
    case 'docker-archive':
      return new DockerArchiveSource(await extract(spec.file), spec.pick);
    default: {
      const never: never = spec;
      throw new KilnError(ErrorCode.Internal, `unexpected transport ${JSON.stringify(never)}`);
    }
  }
}

function destinationName(spec: TransportSpec, pick: ImagePick): string | undefined {
  switch (pick.kind) {
    case 'all':
      return undefined;
    case 'name':
      return pick.name;
    case 'digest':
    case 'position':
      throw new KilnError(
        ErrorCode.Usage,
        `cannot write to ${JSON.stringify(spec)}: give a name, not a ${pick.kind}`,
      );
    default: {
      const never: never = pick;
      throw new KilnError(ErrorCode.Internal, `unexpected pick ${JSON.stringify(never)}`);
    }
  }
}

function archiveTarget(path: string, context: TransportContext): ArchiveTarget {
  if (path === '-') {
    if (context.stdout === undefined) throw new KilnError(ErrorCode.Usage, 'no standard output to write to');
    return { kind: 'stream', stream: context.stdout, description: '-' };
  }
  return { kind: 'file', path };
}

/** Opens a location for writing. The destination is finished by `copyImage` (commit or abort). */
export async function openDestination(
  spec: TransportSpec,
  context: TransportContext = {},
): Promise<ImageDestination> {
  switch (spec.kind) {
    case 'kiln':
      return new StoreDestination(await needStore(context)(), spec.ref);
    case 'docker':
      return needRegistry(context).destination(spec.ref);
    case 'oci':
      return new OciLayoutDestination(directorySink(spec.dir), destinationName(spec, spec.pick));
    case 'oci-archive': {
      const name = destinationName(spec, spec.pick);
      return new OciLayoutDestination(
        archiveSink(await ArchiveOutput.open(archiveTarget(spec.file, context))),
        name,
      );
    }
    case 'docker-archive': {
      const name = destinationName(spec, spec.pick);
      if (name !== undefined && repoTag(name) === undefined) {
        throw new KilnError(
          ErrorCode.Reference,
          `docker-archive: ${JSON.stringify(name)} is not a name:tag reference`,
        );
      }
      return new DockerArchiveDestination(await ArchiveOutput.open(archiveTarget(spec.file, context)), name);
    }
    default: {
      const never: never = spec;
      throw new KilnError(ErrorCode.Internal, `unexpected transport ${JSON.stringify(never)}`);
    }
  }
}
