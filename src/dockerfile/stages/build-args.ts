/**
 * Predefined build arguments: platform args (TARGET*, BUILD*) and proxy args.
 */
import { formatPlatform, type PlatformSpec } from '../../oci/platform.js';

/** Proxy args: usable without an ARG, passed to RUN, never recorded in history. */
export const PROXY_ARGS: readonly string[] = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
];

/** The automatic platform args: in the global scope (FROM lines) always, in a stage after `ARG NAME`. */
export function platformArgs(target: PlatformSpec, build: PlatformSpec): Readonly<Record<string, string>> {
  return {
    TARGETPLATFORM: formatPlatform(target),
    TARGETOS: target.os,
    TARGETARCH: target.architecture,
    TARGETVARIANT: target.variant ?? '',
    BUILDPLATFORM: formatPlatform(build),
    BUILDOS: build.os,
    BUILDARCH: build.architecture,
    BUILDVARIANT: build.variant ?? '',
  };
}

/** True for names that never need an ARG declaration. */
export function isProxyArg(name: string): boolean {
  return PROXY_ARGS.includes(name);
}
