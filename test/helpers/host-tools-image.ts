/**
 * A base image with some of the host's dynamically linked programs (e.g. git, ssh, ssh-add) on top of
 * the busybox fixture: the programs, the shared libraries `ldd` names and the ELF interpreter, copied
 * to the same paths into a second layer (no registry is reachable in tests, and busybox has no git).
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sha256Digest } from '../../src/oci/digest.js';
import { OciMediaType } from '../../src/oci/media-types.js';
import type { Descriptor } from '../../src/oci/types.js';
import { setImageTag } from '../../src/store/image-tags.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { writeBusyboxImage } from './busybox-image.js';

/** The files a program needs to run: itself, the libraries ldd lists, and its interpreter. */
export function programClosure(program: string): string[] {
  const files = new Set<string>([program]);
  const ldd = execFileSync('ldd', [program], { encoding: 'utf8' });
  for (const line of ldd.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1] !== undefined) files.add(m[1]);
  }
  return [...files];
}

/** True when every program exists on the host and `ldd` can describe it. */
export function hostProgramsAvailable(programs: readonly string[]): boolean {
  try {
    for (const p of programs) programClosure(p);
    return true;
  } catch {
    return false;
  }
}

/** Writes busybox + `programs` (absolute host paths) as image `ref` into the store. */
export async function writeHostToolsImage(
  store: LocalStore,
  ref: string,
  programs: readonly string[],
): Promise<void> {
  const base = await writeBusyboxImage(store, `${ref}-busybox-base`);
  const dir = await mkdtemp(join(tmpdir(), 'kiln-tools-'));
  try {
    const files = new Set(programs.flatMap(programClosure));
    for (const file of files) {
      await mkdir(join(dir, dirname(file)), { recursive: true });
      await copyFile(file, join(dir, file)); // follows symlinks: the real file at the looked-up path
    }
    const tar = execFileSync(
      'tar',
      ['-C', dir, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-cf', '-', '.'],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    const layerInfo = await store.writeBlob(tar);
    const layer: Descriptor = {
      mediaType: OciMediaType.ImageLayer,
      digest: layerInfo.digest,
      size: layerInfo.size,
    };
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {
          Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
          Cmd: ['/bin/sh'],
        },
        rootfs: { type: 'layers', diff_ids: [base.diffID, sha256Digest(tar)] },
        history: [
          { created_by: 'busybox-static from Debian (kiln test fixture)' },
          { created_by: `host programs: ${programs.join(' ')} (kiln test fixture)` },
        ],
      }),
    );
    const configInfo = await store.writeBlob(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OciMediaType.ImageManifest,
        config: { mediaType: OciMediaType.ImageConfig, digest: configInfo.digest, size: configInfo.size },
        layers: [base.layer, layer],
      }),
    );
    const manifestInfo = await store.writeBlob(manifest);
    await setImageTag(store, ref, {
      mediaType: OciMediaType.ImageManifest,
      digest: manifestInfo.digest,
      size: manifestInfo.size,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
