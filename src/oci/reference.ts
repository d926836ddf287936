/**
 * Image references (`[domain/]path[:tag][@digest]`) parsed and normalised as docker does
 * (distribution/reference ParseNormalizedNamed + TagNameOnly): `busybox` → `docker.io/library/busybox:latest`.
 */
import { ErrorCode, KilnError } from '../errors.js';
import { type Digest, parseDigest } from './digest.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
/** The registry host that serves `docker.io` repositories. */
export const DOCKER_HUB_REGISTRY_HOST = 'registry-1.docker.io';
export const DEFAULT_TAG = 'latest';
/** Maximum length of `domain/path`. */
export const NAME_TOTAL_LENGTH_MAX = 255;

/** A normalised image reference. */
export interface ImageReference {
  /** Registry domain with optional port, e.g. `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly domain: string;
  /** Repository path, e.g. `library/busybox`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_ID_RE = /^[a-f0-9]{64}$/;
const TAG_RE = new RegExp(`^${TAG}$`);

function referenceError(input: string, why: string): KilnError {
  return new KilnError(ErrorCode.Reference, `invalid reference format ${JSON.stringify(input)}: ${why}`);
}

function splitDockerDomain(name: string): { readonly domain: string; readonly remainder: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  let domain: string;
  let remainder: string;
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

export interface ParseReferenceOptions {
  /** Add the `latest` tag when neither tag nor digest is given (default true, like `docker pull`). */
  readonly defaultTag?: boolean;
}

/**
 * Parses and normalises a reference as docker does. Throws KilnError(E_REFERENCE) for invalid input
 * (uppercase repository, 64-hex-only names, names over 255 characters, bad tags or digests).
 */
export function parseReference(input: string, options: ParseReferenceOptions = {}): ImageReference {
  if (input === '') throw referenceError(input, 'repository name must have at least one component');
  if (ANCHORED_ID_RE.test(input)) {
    throw referenceError(input, 'cannot specify 64-byte hexadecimal strings as a repository name');
  }
  const { domain: splitDomain, remainder } = splitDockerDomain(input);
  const repoPart = remainder.split(/[:@]/, 1)[0] ?? remainder;
  if (repoPart.toLowerCase() !== repoPart) throw referenceError(input, 'repository name must be lowercase');
  const full = `${splitDomain}/${remainder}`;
  const match = REFERENCE_RE.exec(full);
  if (match === null) {
    if (REFERENCE_RE.test(full.toLowerCase()))
      throw referenceError(input, 'repository name must be lowercase');
    throw referenceError(input, 'not a valid reference');
  }
  const name = match[1]!;
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw referenceError(input, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const slash = name.indexOf('/');
  const domain = name.slice(0, slash);
  const path = name.slice(slash + 1);
  const tag = match[2];
  const digestText = match[3];
  let digest: Digest | undefined;
  if (digestText !== undefined) {
    try {
      parseDigest(digestText);
    } catch (cause) {
      throw new KilnError(ErrorCode.Reference, `invalid digest in reference ${JSON.stringify(input)}`, {
        cause,
      });
    }
    digest = digestText as Digest;
  }
  const withDefault = tag === undefined && digest === undefined && options.defaultTag !== false;
  return {
    domain,
    path,
    ...(tag !== undefined ? { tag } : withDefault ? { tag: DEFAULT_TAG } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Whether `tag` is a valid tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** `domain/path`, e.g. `docker.io/library/busybox`. */
export function referenceName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The canonical string: `docker.io/library/busybox:latest`, `host/x:tag@sha256:…`. */
export function referenceString(ref: ImageReference): string {
  return `${referenceName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The short name docker prints: `busybox`, `user/app`, `ghcr.io/o/app`. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return referenceName(ref);
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** The short form with tag and digest: `busybox:latest`, `user/app@sha256:…`. */
export function familiarString(ref: ImageReference): string {
  return `${familiarName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** A copy with the tag replaced (and no digest). Throws E_REFERENCE for an invalid tag. */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!isValidTag(tag)) throw referenceError(tag, 'invalid tag');
  return { domain: ref.domain, path: ref.path, tag };
}

/** A copy pinned to `digest` (the tag is kept for display, as docker does for `name:tag@digest`). */
export function withDigest(ref: ImageReference, digest: Digest): ImageReference {
  return { ...ref, digest };
}

/** The host to contact for the reference's registry (`docker.io` is served by `registry-1.docker.io`). */
export function registryHost(ref: ImageReference): string {
  return ref.domain === DEFAULT_DOMAIN ? DOCKER_HUB_REGISTRY_HOST : ref.domain;
}
