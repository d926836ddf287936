/**
 * The transport syntax of `kiln copy`, `save`, `load` and archive build bases:
 *
 * - `kiln:REF` or a bare `REF` — the local store (`busybox`, `ghcr.io/o/r:1`, `sha256:…`).
 * - `oci:DIR[:NAME]` / `oci:DIR@DIGEST` — an OCI image layout directory; NAME is the
 *   `org.opencontainers.image.ref.name` annotation, as in skopeo.
 * - `oci-layout://DIR[:TAG|@DIGEST]` — BuildKit's named-context spelling of the same thing.
 * - `oci-archive:FILE[:NAME]` — a tar of an OCI image layout.
 * - `docker-archive:FILE[:REF|:@N]` — the `docker save` format; REF picks a RepoTags entry, `@N` the
 *   N-th image (as in skopeo).
 * - `docker://REF` — a registry (parsed here; the registry transport plugs in the same verbs).
 *
 * As in skopeo, the path ends at the first `:` (paths containing `:` are not supported).
 */
import { assertNever, ErrorCode, KilnError } from '../errors.js';
import { asDigest, type Digest, isDigest } from '../oci/digest.js';

/** Which image of a layout or archive is meant. */
export type ImagePick =
  | { readonly kind: 'all' }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'digest'; readonly digest: Digest }
  | { readonly kind: 'position'; readonly position: number };

export type TransportSpec =
  | { readonly kind: 'kiln'; readonly ref: string }
  | { readonly kind: 'oci'; readonly dir: string; readonly pick: ImagePick }
  | { readonly kind: 'oci-archive'; readonly file: string; readonly pick: ImagePick }
  | { readonly kind: 'docker-archive'; readonly file: string; readonly pick: ImagePick }
  | { readonly kind: 'docker'; readonly ref: string };

function usage(text: string, why: string): KilnError {
  return new KilnError(ErrorCode.Usage, `invalid image location ${JSON.stringify(text)}: ${why}`, {
    hint: 'use kiln:REF, oci:DIR[:NAME], oci-archive:FILE[:NAME], docker-archive:FILE[:REF] or docker://REF',
  });
}

/** Splits `PATH[:NAME|@DIGEST|:@N]` into the path and the image pick. */
function splitPathPick(
  text: string,
  rest: string,
  allowPosition: boolean,
): { path: string; pick: ImagePick } {
  const at = rest.lastIndexOf('@');
  if (at > 0 && isDigest(rest.slice(at + 1)) && !rest.slice(0, at).includes(':')) {
    return { path: rest.slice(0, at), pick: { kind: 'digest', digest: asDigest(rest.slice(at + 1)) } };
  }
  const colon = rest.indexOf(':');
  const path = colon === -1 ? rest : rest.slice(0, colon);
  if (path === '') throw usage(text, 'empty path');
  if (colon === -1) return { path, pick: { kind: 'all' } };
  const name = rest.slice(colon + 1);
  if (name === '') throw usage(text, 'empty image name after the path');
  if (name.startsWith('@')) {
    const position = Number(name.slice(1));
    if (!allowPosition || !/^\d+$/.test(name.slice(1)) || !Number.isSafeInteger(position)) {
      throw usage(text, `bad image selector ${JSON.stringify(name)}`);
    }
    return { path, pick: { kind: 'position', position } };
  }
  if (/[\s\0]/.test(name)) throw usage(text, 'the image name contains white space');
  return { path, pick: { kind: 'name', name } };
}

/** Parses a transport location (see the module comment). Bare references are store references. */
export function parseTransportSpec(text: string): TransportSpec {
  const trimmed = text.trim();
  if (trimmed === '') throw usage(text, 'empty');
  const prefixed = (prefix: string) =>
    trimmed.startsWith(prefix) ? trimmed.slice(prefix.length) : undefined;
  const layoutUrl = prefixed('oci-layout://');
  if (layoutUrl !== undefined) {
    const { path, pick } = splitPathPick(text, layoutUrl, false);
    return { kind: 'oci', dir: path, pick };
  }
  const docker = prefixed('docker://');
  if (docker !== undefined) {
    if (docker === '') throw usage(text, 'empty reference');
    return { kind: 'docker', ref: docker };
  }
  const kiln = prefixed('kiln:');
  if (kiln !== undefined) {
    if (kiln === '') throw usage(text, 'empty reference');
    return { kind: 'kiln', ref: kiln };
  }
  const oci = prefixed('oci:');
  if (oci !== undefined) {
    const { path, pick } = splitPathPick(text, oci, false);
    return { kind: 'oci', dir: path, pick };
  }
  const ociArchive = prefixed('oci-archive:');
  if (ociArchive !== undefined) {
    const { path, pick } = splitPathPick(text, ociArchive, false);
    return { kind: 'oci-archive', file: path, pick };
  }
  const dockerArchive = prefixed('docker-archive:');
  if (dockerArchive !== undefined) {
    const { path, pick } = splitPathPick(text, dockerArchive, true);
    return { kind: 'docker-archive', file: path, pick };
  }
  return { kind: 'kiln', ref: trimmed };
}

/** The spec written back in transport syntax. */
export function formatTransportSpec(spec: TransportSpec): string {
  const pickText = (pick: ImagePick): string => {
    switch (pick.kind) {
      case 'all':
        return '';
      case 'name':
        return `:${pick.name}`;
      case 'digest':
        return `@${pick.digest}`;
      case 'position':
        return `:@${pick.position}`;
      default:
        return assertNever(pick, 'image pick');
    }
  };
  switch (spec.kind) {
    case 'kiln':
      return `kiln:${spec.ref}`;
    case 'docker':
      return `docker://${spec.ref}`;
    case 'oci':
      return `oci:${spec.dir}${pickText(spec.pick)}`;
    case 'oci-archive':
      return `oci-archive:${spec.file}${pickText(spec.pick)}`;
    case 'docker-archive':
      return `docker-archive:${spec.file}${pickText(spec.pick)}`;
    default:
      return assertNever(spec, 'transport');
  }
}
