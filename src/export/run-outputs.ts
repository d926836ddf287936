/**
 * Sending a stored build to its outputs: registry pushes, OCI / docker archives, and the final
 * filesystem as a directory or a tar.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import { parseReference } from '../oci/reference.js';
import type { ManifestFormat } from '../oci/types.js';
import type { RegistryClient } from '../registry/index.js';
import type { LocalStore } from '../store/index.js';
import { outputFormat, storedImageFormat } from './output-media-types.js';
import type { OutputSpec } from './output-spec.js';
import type { PushCompression } from './push-compression.js';
import type { StoredBuild } from './store-image.js';

export interface RunOutputsOptions {
  readonly store: LocalStore;
  readonly image: StoredBuild;
  readonly outputs: readonly OutputSpec[];
  /** The `-t` names (used by outputs without `name=`). */
  readonly tags: readonly string[];
  /** The final filesystem as a tar stream (type=local / type=tar); called at most once per output. */
  rootfsTar(): Promise<Readable>;
  /** A registry client for a registry host (closed by the caller of runOutputs). */
  registryClient(registry: string): RegistryClient | Promise<RegistryClient>;
  /** Where `dest=-` goes. */
  readonly stdout: Writable;
  readonly signal?: AbortSignal;
  readonly onMessage?: (message: string) => void;
}

interface PushRequest {
  readonly names: readonly string[];
  readonly compression: PushCompression | undefined;
  readonly format: ManifestFormat;
}

async function push(options: RunOutputsOptions, request: PushRequest): Promise<void> {
  const { names, compression, format } = request;
  if (names.length === 0) {
    throw new KilnError(ErrorCode.Usage, 'pushing needs an image name', {
      hint: 'add -t NAME:TAG or name=NAME',
    });
  }
  const { pushStoredImage } = await import('./push-stored-image.js');
  for (const name of names) {
    const ref = parseReference(name);
    const client = await options.registryClient(ref.domain);
    const result = await pushStoredImage({
      client,
      store: options.store,
      digest: options.image.manifestDescriptor.digest,
      reference: ref,
      format,
      ...(compression === undefined ? {} : { compression }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    options.onMessage?.(`pushed ${name} (${result.descriptor.digest})`);
  }
}

/**
 * An OCI archive holds manifests of either format. A docker-archive (the `docker save` form) holds
 * none — only configs and layer tars, which are the same bytes in both formats — so it is written
 * whatever `oci-mediatypes=` says.
 */
async function archive(
  options: RunOutputsOptions,
  spec: OutputSpec & { kind: 'oci' | 'docker' },
  format: ManifestFormat,
): Promise<void> {
  const names = spec.names.length > 0 ? spec.names : options.tags;
  const {
    ArchiveOutput,
    copyImage,
    DockerArchiveDestination,
    archiveSink,
    OciLayoutDestination,
    StoreSource,
  } = await import('../archive/index.js');
  const output = await ArchiveOutput.open(
    spec.dest === '-'
      ? { kind: 'stream', stream: options.stdout, description: '-' }
      : { kind: 'file', path: spec.dest },
  );
  const dst =
    spec.kind === 'docker'
      ? new DockerArchiveDestination(output, names[0])
      : new OciLayoutDestination(archiveSink(output));
  const src = new StoreSource(
    options.store,
    options.image.tags.length > 0 ? options.image.tags : [options.image.manifestDescriptor.digest],
  );
  try {
    await copyImage({
      src,
      dst,
      compression: 'gzip',
      ...(spec.kind === 'oci' ? { format } : {}),
      tmpDir: options.store.paths.tmpDir,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } finally {
    await src.close();
  }
}

async function extractTo(tar: Readable, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const child = spawn('tar', ['-x', '--no-same-owner', '-f', '-', '-C', dest], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  await pipeline(tar, child.stdin);
  const code = await exited;
  if (code !== 0)
    throw new KilnError(ErrorCode.Usage, `cannot write the build result to ${dest}: ${stderr.trim()}`);
}

/**
 * Runs every output in order. The archive and registry modules load only for the outputs that need
 * them (the default output, the local store, needs neither).
 */
export async function runOutputs(options: RunOutputsOptions): Promise<void> {
  const stored = storedImageFormat(options.outputs);
  for (const spec of options.outputs) {
    switch (spec.kind) {
      case 'image':
      case 'registry':
        if (spec.kind === 'registry' || spec.push) {
          await push(options, {
            names: spec.names.length > 0 ? spec.names : options.tags,
            compression: spec.compression,
            format: outputFormat(spec, stored),
          });
        }
        break;
      case 'oci':
      case 'docker':
        await archive(options, spec, outputFormat(spec, stored));
        break;
      case 'local':
        await extractTo(await options.rootfsTar(), spec.dest);
        break;
      case 'tar':
        await pipeline(
          await options.rootfsTar(),
          spec.dest === '-' ? options.stdout : createWriteStream(spec.dest),
          ...(spec.dest === '-' ? [{ end: false }] : []),
        );
        break;
      default:
        assertNever(spec, 'output');
    }
  }
}
