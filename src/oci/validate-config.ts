/**
 * Validation of image configurations (OCI image config / Docker image JSON, Docker fields included).
 */
import {
  child,
  expectArray,
  expectBoolean,
  expectDateTime,
  expectInteger,
  expectObject,
  expectObjectMap,
  expectString,
  expectStringArray,
  expectStringMap,
  invalid,
  type JsonPlace,
  optional,
  orNull,
  required,
} from './json-checks.js';
import type { ImageConfig } from './types.js';
import { expectDescriptorDigest } from './validate-descriptor.js';

function expectEnv(value: unknown, place: JsonPlace): readonly string[] {
  const env = expectStringArray(value, place);
  env.forEach((entry, i) => {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw invalid(child(place, i), `${JSON.stringify(entry)} is not NAME=value`);
  });
  return env;
}

function readHealthcheck(value: unknown, place: JsonPlace): unknown {
  const object = expectObject(value, place);
  optional(object, 'Test', place, orNull(expectStringArray));
  for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval']) {
    optional(object, key, place, (v, p) => expectInteger(v, p, 0));
  }
  optional(object, 'Retries', place, (v, p) => expectInteger(v, p, 0));
  return object;
}

function readContainerConfig(value: unknown, place: JsonPlace): unknown {
  const object = expectObject(value, place);
  optional(object, 'User', place, expectString);
  optional(object, 'ExposedPorts', place, expectObjectMap);
  optional(object, 'Env', place, expectEnv);
  optional(object, 'Entrypoint', place, orNull(expectStringArray));
  optional(object, 'Cmd', place, orNull(expectStringArray));
  optional(object, 'Volumes', place, orNull(expectObjectMap));
  optional(object, 'WorkingDir', place, expectString);
  optional(object, 'Labels', place, orNull(expectStringMap));
  optional(object, 'StopSignal', place, expectString);
  optional(object, 'ArgsEscaped', place, expectBoolean);
  optional(object, 'Healthcheck', place, orNull(readHealthcheck));
  optional(object, 'OnBuild', place, orNull(expectStringArray));
  optional(object, 'Shell', place, orNull(expectStringArray));
  return object;
}

function readRootfs(value: unknown, place: JsonPlace): unknown {
  const object = expectObject(value, place);
  const type = required(object, 'type', place, expectString);
  if (type !== 'layers') throw invalid(child(place, 'type'), `must be "layers", got ${JSON.stringify(type)}`);
  const diffIds = required(object, 'diff_ids', place, expectArray);
  diffIds.forEach((id, i) => {
    expectDescriptorDigest(id, child(child(place, 'diff_ids'), i));
  });
  return object;
}

function readHistory(value: unknown, place: JsonPlace): unknown {
  const entries = expectArray(value, place);
  entries.forEach((entry, i) => {
    const at = child(place, i);
    const object = expectObject(entry, at);
    optional(object, 'created', at, expectDateTime);
    optional(object, 'author', at, expectString);
    optional(object, 'created_by', at, expectString);
    optional(object, 'comment', at, expectString);
    optional(object, 'empty_layer', at, expectBoolean);
  });
  return entries;
}

/**
 * Validates an image configuration. Returns the same object, typed (unknown fields such as Docker's
 * `container_config` are kept); throws KilnError(E_INVALID_DOCUMENT) with a JSON path.
 */
export function validateConfig(json: unknown): ImageConfig {
  const place: JsonPlace = { document: 'image config', path: '$' };
  const object = expectObject(json, place);
  optional(object, 'created', place, expectDateTime);
  optional(object, 'author', place, expectString);
  required(object, 'architecture', place, expectString);
  required(object, 'os', place, expectString);
  optional(object, 'os.version', place, expectString);
  optional(object, 'os.features', place, expectStringArray);
  optional(object, 'variant', place, expectString);
  optional(object, 'config', place, readContainerConfig);
  required(object, 'rootfs', place, readRootfs);
  optional(object, 'history', place, readHistory);
  return object as unknown as ImageConfig;
}
