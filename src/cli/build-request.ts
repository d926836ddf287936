/**
 * What the CLI process hands to the build process it starts inside kiln's user namespace: the parsed
 * `kiln build` arguments as one JSON argument, so that process parses no command line again (it loads
 * neither commander nor the other commands).
 */
import { ErrorCode, KilnError } from '../errors.js';
import type { BuildFlags } from './build-options.js';

export interface BuildRequest {
  readonly contextArg: string;
  readonly flags: BuildFlags;
  /** The global `--root`. */
  readonly root?: string;
}

/** The request as one command-line argument. */
export function encodeBuildRequest(request: BuildRequest): string {
  return JSON.stringify(request);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a request made by `encodeBuildRequest`; anything else is an internal error (E_INTERNAL). */
export function decodeBuildRequest(text: string | undefined): BuildRequest {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch (cause) {
    throw new KilnError(ErrorCode.Internal, 'the build process was started without a valid build request', {
      cause,
    });
  }
  if (
    !isRecord(value) ||
    typeof value.contextArg !== 'string' ||
    !isRecord(value.flags) ||
    (value.root !== undefined && typeof value.root !== 'string')
  ) {
    throw new KilnError(ErrorCode.Internal, 'the build process was started with a malformed build request');
  }
  return {
    contextArg: value.contextArg,
    flags: value.flags as unknown as BuildFlags,
    ...(typeof value.root === 'string' ? { root: value.root } : {}),
  };
}
