/**
 * The leak guarantee: after a build that used secrets, look for every secret (in all its forms, see
 * secret-forms.ts) in each new layer's uncompressed tar stream, in the image config and in the history.
 *
 * Every byte of a layer is scanned once, raw, with one multi-pattern automaton — file contents, member
 * names, link targets, PAX records (xattrs included) and GNU long names alike — and the tar framing is
 * followed alongside only to say which member a match belongs to. The config is scanned raw and, when it
 * parses, as its decoded strings too (JSON escapes such as \u0041 would hide a raw match); history
 * entries are scanned as their decoded strings and as JSON.
 */
import type { Readable } from 'node:stream';
import { ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import { MultiPatternMatcher } from './multi-pattern-matcher.js';
import { type NamedSecret, type SecretForm, type SecretPattern, secretPatterns } from './secret-forms.js';
import { TarFraming, type TarPart } from './tar-framing.js';

const MAX_HITS_PER_LAYER = 100_000;

/** Where a leak was found. */
export type LeakLocation =
  | {
      readonly kind: 'layer';
      /** Index into the `layers` given to the scan. */
      readonly layer: number;
      /** The tar member; undefined when the framing could not be followed or past the archive end. */
      readonly path: string | undefined;
      readonly part: TarPart;
    }
  /** `field`: the JSON path of the string holding it (e.g. `config.Env[1]`); absent for raw-only hits. */
  | { readonly kind: 'config'; readonly field?: string }
  | { readonly kind: 'history'; readonly index: number }
  /** The exported root filesystem (`--output type=local|tar`). */
  | { readonly kind: 'rootfs'; readonly path: string | undefined; readonly part: TarPart }
  /** Another document (e.g. the --metadata-file JSON). */
  | { readonly kind: 'document'; readonly name: string };

export interface SecretLeak {
  readonly secretId: string;
  readonly form: SecretForm;
  readonly where: LeakLocation;
}

export interface ScanForSecretsOptions {
  /** The secrets used by the build; plain buffers are named `#0`, `#1`, ... */
  readonly secrets: readonly (NamedSecret | Uint8Array)[];
  /** Opens each new layer's uncompressed tar stream. */
  readonly layers: readonly (() => Readable)[];
  readonly config?: Uint8Array;
  /** The image config's history entries (objects or strings). */
  readonly history?: readonly unknown[];
  /** Other documents to scan raw (e.g. the metadata file), each with a name for reports. */
  readonly documents?: readonly { readonly name: string; readonly bytes: Uint8Array }[];
  /** The `layers` are exported root filesystems, not image layers (leaks say `rootfs`). */
  readonly rootfs?: boolean;
  /** Stop collecting after this many distinct leaks (default 100). */
  readonly maxLeaks?: number;
  readonly signal?: AbortSignal;
}

/** Human-readable place, e.g. `layer 2: etc/token (content)`, `config`, `history[3]`. */
export function describeLeakLocation(where: LeakLocation): string {
  switch (where.kind) {
    case 'layer':
      return `layer ${where.layer}: ${where.path ?? '(unknown member)'} (${where.part})`;
    case 'config':
      return where.field === undefined ? 'config' : `config (${where.field})`;
    case 'history':
      return `history[${where.index}]`;
    case 'rootfs':
      return `exported filesystem: ${where.path ?? '(unknown member)'} (${where.part})`;
    case 'document':
      return where.name;
  }
}

function stringsOf(value: unknown, out: string[]): void {
  for (const [, s] of fieldStrings(value, '')) out.push(s);
}

/** Every string (keys included) of a JSON value with its path, e.g. `["config.Env[1]", "A=b"]`. */
function fieldStrings(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) fieldStrings(v, `${path}[${i}]`, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = /^[A-Za-z_][\w]*$/.test(k)
        ? `${path}${path === '' ? '' : '.'}${k}`
        : `${path}[${JSON.stringify(k)}]`;
      out.push([at, k]);
      fieldStrings(v, at, out);
    }
  }
  return out;
}

/** Scans; returns the distinct leaks found (an empty array means none). */
export async function scanForSecrets(options: ScanForSecretsOptions): Promise<readonly SecretLeak[]> {
  const named = options.secrets.map((s, i) => (s instanceof Uint8Array ? { id: `#${i}`, value: s } : s));
  const patterns = secretPatterns(named);
  if (patterns.length === 0) return [];
  const matcher = new MultiPatternMatcher(patterns.map((p) => p.bytes));
  const maxLeaks = options.maxLeaks ?? 100;
  const leaks = new Map<string, SecretLeak>();
  const report = (pattern: SecretPattern, where: LeakLocation) => {
    const key = `${pattern.secretId}\0${pattern.form}\0${JSON.stringify(where)}`;
    if (!leaks.has(key) && leaks.size < maxLeaks)
      leaks.set(key, { secretId: pattern.secretId, form: pattern.form, where });
  };
  const scanBytes = (data: Uint8Array, where: LeakLocation) => {
    for (const m of matcher.findAll(data)) report(patterns[m.pattern]!, where);
  };

  for (const [layer, open] of options.layers.entries()) {
    const at = (path: string | undefined, part: TarPart): LeakLocation =>
      options.rootfs === true ? { kind: 'rootfs', path, part } : { kind: 'layer', layer, path, part };
    if (options.signal?.aborted) throw new KilnError(ErrorCode.Aborted, 'secret scan aborted');
    const framing = new TarFraming();
    // Distinct (pattern, member, part) hits; paths are resolved at the end (PAX records precede headers).
    const hits = new Map<string, { pattern: number; member: number | undefined; part: TarPart }>();
    const stream = matcher.stream((m) => {
      const at = framing.locate(m.start);
      const key = `${m.pattern}:${at?.member ?? -1}:${at?.part ?? 'metadata'}`;
      if (!hits.has(key) && hits.size < MAX_HITS_PER_LAYER) {
        hits.set(key, { pattern: m.pattern, member: at?.member, part: at?.part ?? 'metadata' });
      }
    });
    const input = open();
    try {
      for await (const chunk of input) {
        options.signal?.throwIfAborted();
        const bytes = chunk as Uint8Array;
        // Framing first, so that the segments of every byte of this chunk are known to `locate`.
        framing.write(bytes);
        stream.write(bytes);
      }
    } catch (cause) {
      input.destroy();
      if (options.signal?.aborted) throw new KilnError(ErrorCode.Aborted, 'secret scan aborted', { cause });
      throw new KilnError(ErrorCode.SecretLeak, `cannot read layer ${layer} for the secret scan`, { cause });
    }
    stream.end();
    for (const hit of hits.values()) {
      const path = hit.member === undefined ? undefined : framing.pathOf(hit.member);
      report(patterns[hit.pattern]!, at(path, hit.part));
    }
    for (const name of framing.joinedNames) {
      const place = framing.place(name.offset);
      scanBytes(Buffer.from(name.path, 'utf8'), at(place.path, 'metadata'));
    }
  }

  if (options.config !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(options.config).toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const before = leaks.size;
    for (const [field, s] of fieldStrings(parsed, '')) {
      // The history is reported below, entry by entry (with the step that wrote it).
      if (options.history !== undefined && /^history(\[|$)/.test(field)) continue;
      scanBytes(Buffer.from(s, 'utf8'), field === '' ? { kind: 'config' } : { kind: 'config', field });
    }
    // The raw bytes only matter when no decoded string explained the hit (e.g. a config that is not JSON).
    if (leaks.size === before) scanBytes(options.config, { kind: 'config' });
  }

  for (const document of options.documents ?? []) {
    scanBytes(document.bytes, { kind: 'document', name: document.name });
  }

  for (const [index, entry] of (options.history ?? []).entries()) {
    const strings: string[] = [];
    stringsOf(entry, strings);
    strings.push(JSON.stringify(entry) ?? '');
    for (const s of strings) scanBytes(Buffer.from(s, 'utf8'), { kind: 'history', index });
  }
  return [...leaks.values()];
}

/** The build step a leak is attributed to (its progress name and Dockerfile location). */
export interface LeakStep {
  readonly name: string;
  readonly location?: SourceLocation;
}

/** How a report names the steps behind leaks; every text shown passes through `mask`. */
export interface LeakAttribution {
  /** The step that made layer `index` of the scan. */
  readonly layerStep?: (index: number) => LeakStep | undefined;
  /** The step that wrote history entry `index`. */
  readonly historyStep?: (index: number) => LeakStep | undefined;
  /** Masks secret values in step names (a build arg may hold one). */
  readonly mask?: (text: string) => string;
}

function stepOf(where: LeakLocation, attribution: LeakAttribution): LeakStep | undefined {
  switch (where.kind) {
    case 'layer':
      return attribution.layerStep?.(where.layer);
    case 'history':
      return attribution.historyStep?.(where.index);
    case 'config':
    case 'rootfs':
    case 'document':
      return undefined;
  }
}

function stepText(step: LeakStep, mask: (text: string) => string): string {
  const line =
    step.location === undefined ? '' : ` (${step.location.file}:${step.location.range.start.line})`;
  return `${mask(step.name)}${line}`;
}

/**
 * The E_SECRET_LEAK error for leaks found by `scanForSecrets` (values are never included). With an
 * attribution, each leak names the step that made it, and the error points at the first such step.
 */
export function secretLeakError(leaks: readonly SecretLeak[], attribution: LeakAttribution = {}): KilnError {
  const mask = attribution.mask ?? ((text: string) => text);
  const steps = leaks.map((l) => stepOf(l.where, attribution));
  const lines = leaks.slice(0, 10).map((l, i) => {
    const step = steps[i];
    const by = step === undefined ? '' : `, written by step ${stepText(step, mask)}`;
    return `  secret ${l.secretId} (${l.form}) in ${mask(describeLeakLocation(l.where))}${by}`;
  });
  const more = leaks.length > 10 ? `\n  ... and ${leaks.length - 10} more` : '';
  const first = steps.find((s) => s?.location !== undefined);
  return new KilnError(
    ErrorCode.SecretLeak,
    `build secrets found in the image:\n${lines.join('\n')}${more}`,
    {
      ...(first?.location === undefined ? {} : { location: first.location }),
      hint: 'secrets must only be read from RUN --mount=type=secret, never copied into files, ENV, ARG or LABEL',
    },
  );
}
