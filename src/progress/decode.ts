/**
 * Reading rawjson lines back into events (for tools that consume `--progress=rawjson`, and for replaying
 * a recorded build). Checks the fields each kind needs; unknown extra fields are dropped.
 */
import { ErrorCode, KilnError } from '../errors.js';
import { PROGRESS_EVENT_KINDS, type ProgressEvent } from './events.js';

type Json = Readonly<Record<string, unknown>>;

/** Parses one rawjson line. Throws `E_PROGRESS_EVENT` for anything that is not a well-formed event. */
export function decodeProgressEvent(line: string): ProgressEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    throw new KilnError(ErrorCode.ProgressEvent, 'progress event is not valid JSON', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('progress event must be a JSON object');
  }
  const o = value as Json;
  const kind = o.kind;
  if (typeof kind !== 'string' || !(PROGRESS_EVENT_KINDS as readonly string[]).includes(kind)) {
    throw bad(`unknown progress event kind ${JSON.stringify(kind)}`);
  }
  const time = num(o, 'time');
  const k = kind as ProgressEvent['kind'];
  switch (k) {
    case 'build-start':
      return { kind: k, time, ...optStr(o, 'target'), ...optStr(o, 'platform') };
    case 'vertex-start':
      return {
        kind: k,
        time,
        id: str(o, 'id'),
        name: str(o, 'name'),
        ...optStr(o, 'stage'),
        ...(o.cached === undefined ? {} : { cached: bool(o, 'cached') }),
        ...optObj(o, 'location'),
      };
    case 'vertex-log': {
      const stream = str(o, 'stream');
      if (stream !== 'stdout' && stream !== 'stderr') throw bad(`bad log stream ${JSON.stringify(stream)}`);
      return { kind: k, time, id: str(o, 'id'), stream, line: str(o, 'line') };
    }
    case 'vertex-progress': {
      const unit = str(o, 'unit');
      if (unit !== 'bytes' && unit !== 'files' && unit !== 'items') {
        throw bad(`bad progress unit ${JSON.stringify(unit)}`);
      }
      return {
        kind: k,
        time,
        id: str(o, 'id'),
        item: str(o, 'item'),
        current: num(o, 'current'),
        ...(o.total === undefined ? {} : { total: num(o, 'total') }),
        unit,
        ...(o.done === undefined ? {} : { done: bool(o, 'done') }),
      };
    }
    case 'vertex-cached':
      return { kind: k, time, id: str(o, 'id') };
    case 'vertex-done':
      return { kind: k, time, id: str(o, 'id'), durationMs: num(o, 'durationMs') };
    case 'vertex-error':
      return {
        kind: k,
        time,
        id: str(o, 'id'),
        error: errorOf(o),
        ...(o.exitCode === undefined ? {} : { exitCode: num(o, 'exitCode') }),
        ...optObj(o, 'location'),
      };
    case 'warning': {
      const d = obj(o, 'diagnostic');
      const severity = str(d, 'severity');
      if (severity !== 'warning' && severity !== 'error')
        throw bad(`bad severity ${JSON.stringify(severity)}`);
      return {
        kind: k,
        time,
        diagnostic: {
          severity,
          code: str(d, 'code'),
          message: str(d, 'message'),
          ...optStr(d, 'detail'),
          ...optStr(d, 'hint'),
          ...optObj(d, 'location'),
        },
        ...optStr(o, 'id'),
      };
    }
    case 'build-done': {
      const tags = o.tags;
      if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))
        throw bad('tags must be strings');
      return { kind: k, time, digest: str(o, 'digest'), tags, durationMs: num(o, 'durationMs') };
    }
    case 'build-error':
      return { kind: k, time, error: errorOf(o), ...optObj(o, 'location'), durationMs: num(o, 'durationMs') };
  }
}

function bad(message: string): KilnError {
  return new KilnError(ErrorCode.ProgressEvent, message);
}

function str(o: Json, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw bad(`field ${key} must be a string`);
  return v;
}

function num(o: Json, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`field ${key} must be a finite number`);
  return v;
}

function bool(o: Json, key: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw bad(`field ${key} must be a boolean`);
  return v;
}

function obj(o: Json, key: string): Json {
  const v = o[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`field ${key} must be an object`);
  return v as Json;
}

function optStr<K extends string>(o: Json, key: K): { [P in K]?: string } {
  return o[key] === undefined ? {} : ({ [key]: str(o, key) } as { [P in K]?: string });
}

/** A location is passed through after checking its shape: `{file, range: {start, end: {line, column}}}`. */
function optObj<K extends 'location'>(o: Json, key: K): { location?: never } | { location: LocationShape } {
  if (o[key] === undefined) return {};
  const loc = obj(o, key);
  const range = obj(loc, 'range');
  const pos = (p: Json) => ({ line: num(p, 'line'), column: num(p, 'column') });
  return {
    location: {
      file: str(loc, 'file'),
      range: { start: pos(obj(range, 'start')), end: pos(obj(range, 'end')) },
    },
  };
}

interface LocationShape {
  readonly file: string;
  readonly range: {
    readonly start: { readonly line: number; readonly column: number };
    readonly end: { readonly line: number; readonly column: number };
  };
}

function errorOf(o: Json): { code: string; message: string; hint?: string } {
  const e = obj(o, 'error');
  return { code: str(e, 'code'), message: str(e, 'message'), ...optStr(e, 'hint') };
}
