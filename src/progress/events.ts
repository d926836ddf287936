/**
 * Build progress events: what the solver reports while a build runs.
 *
 * The CLI renders these (plain, tty, rawjson, quiet); library users receive the same values through
 * `build(options, { onEvent })`. Every event is a plain, JSON-serialisable object with a `kind` tag and a
 * `time` (milliseconds since the Unix epoch, read from an injected {@link Clock}).
 *
 * The model follows BuildKit's solve status: a build is a set of *vertices* (one per step), each named the
 * way BuildKit names them, e.g.
 *
 *   `[internal] load build definition from Dockerfile`
 *   `[internal] load metadata for docker.io/library/alpine:3.20`
 *   `[build 3/5] RUN make`            (stage `build`, step 3 of 5)
 *   `[2/3] COPY . /src`               (an unnamed stage)
 *   `exporting to image`
 *
 * A vertex's life: `vertex-start` → any number of `vertex-log` / `vertex-progress` → exactly one of
 * `vertex-cached`, `vertex-done` or `vertex-error`. A build's life: `build-start` → vertex events and
 * `warning`s → exactly one of `build-done` or `build-error`.
 *
 * Field names are stable: the `rawjson` renderer writes these objects as they are, one per line.
 * New optional fields may be added; existing fields are never renamed or removed.
 */
import type { SourceLocation } from '../errors.js';

/** A solver-chosen identifier for one vertex (a cache key or digest); unique within one build. */
export type VertexId = string;

/** A source of the current time in milliseconds since the Unix epoch. Injected so output is testable. */
export interface Clock {
  now(): number;
}

/** Output stream of a RUN step's process. */
export type LogStream = 'stdout' | 'stderr';

/** Units of a `vertex-progress` counter. */
export type ProgressUnit = 'bytes' | 'files' | 'items';

/** An error as carried by an event: serialisable, with a stable code (a `KilnError` code when known). */
export interface ProgressError {
  /** Stable code, e.g. `E_RUN_FAILED`; `E_INTERNAL` for errors that were not a `KilnError`. */
  readonly code: string;
  readonly message: string;
  /** A short, actionable suggestion. */
  readonly hint?: string;
}

/** A non-fatal finding (lint rule, deprecated syntax…), shaped for `renderDiagnostic`. */
export interface ProgressDiagnostic {
  readonly severity: 'warning' | 'error';
  /** Stable code or rule name, e.g. `JSONArgsRecommended`. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly location?: SourceLocation;
}

/** The build begins. */
export interface BuildStartEvent {
  readonly kind: 'build-start';
  readonly time: number;
  /** The stage being built, when one was chosen with `--target`. */
  readonly target?: string;
  /** The target platform, e.g. `linux/amd64`. */
  readonly platform?: string;
}

/** A vertex starts (or is looked up in the cache). */
export interface VertexStartEvent {
  readonly kind: 'vertex-start';
  readonly time: number;
  readonly id: VertexId;
  /** BuildKit-style display name, e.g. `[build 3/5] RUN make`. */
  readonly name: string;
  /** The Dockerfile stage this vertex belongs to (its name, or its index as a string). */
  readonly stage?: string;
  /** True when the solver already knows the result is cached (a `vertex-cached` follows). */
  readonly cached?: boolean;
  /** Where the instruction is in the Dockerfile. */
  readonly location?: SourceLocation;
}

/** One line of a vertex's output, without its line terminator. */
export interface VertexLogEvent {
  readonly kind: 'vertex-log';
  readonly time: number;
  readonly id: VertexId;
  readonly stream: LogStream;
  readonly line: string;
}

/**
 * A counter of a vertex: bytes of a layer being pulled or pushed, files copied, …
 * Several counters per vertex are told apart by `item` (e.g. a layer digest).
 */
export interface VertexProgressEvent {
  readonly kind: 'vertex-progress';
  readonly time: number;
  readonly id: VertexId;
  /** What is counted, e.g. `sha256:4abcf2…` or `transferring context`. */
  readonly item: string;
  readonly current: number;
  /** The expected total, when known. */
  readonly total?: number;
  readonly unit: ProgressUnit;
  /** True on the item's last update. */
  readonly done?: boolean;
}

/** The vertex's result came from the cache; it did not run. Ends the vertex. */
export interface VertexCachedEvent {
  readonly kind: 'vertex-cached';
  readonly time: number;
  readonly id: VertexId;
}

/** The vertex finished successfully. Ends the vertex. */
export interface VertexDoneEvent {
  readonly kind: 'vertex-done';
  readonly time: number;
  readonly id: VertexId;
  readonly durationMs: number;
}

/** The vertex failed. Ends the vertex. */
export interface VertexErrorEvent {
  readonly kind: 'vertex-error';
  readonly time: number;
  readonly id: VertexId;
  readonly error: ProgressError;
  /** The process's exit status, for a RUN that exited non-zero. */
  readonly exitCode?: number;
  /** The Dockerfile instruction that failed. */
  readonly location?: SourceLocation;
}

/** A non-fatal diagnostic found during the build. */
export interface WarningEvent {
  readonly kind: 'warning';
  readonly time: number;
  readonly diagnostic: ProgressDiagnostic;
  /** The vertex it concerns, if any. */
  readonly id?: VertexId;
}

/** The build succeeded. */
export interface BuildDoneEvent {
  readonly kind: 'build-done';
  readonly time: number;
  /** The image manifest digest (or config digest when nothing was exported as a manifest). */
  readonly digest: string;
  /** The names the image was tagged with (may be empty). */
  readonly tags: readonly string[];
  readonly durationMs: number;
}

/** The build failed. */
export interface BuildErrorEvent {
  readonly kind: 'build-error';
  readonly time: number;
  readonly error: ProgressError;
  readonly location?: SourceLocation;
  readonly durationMs: number;
}

/** Everything a build reports, as a tagged union on `kind`. */
export type ProgressEvent =
  | BuildStartEvent
  | VertexStartEvent
  | VertexLogEvent
  | VertexProgressEvent
  | VertexCachedEvent
  | VertexDoneEvent
  | VertexErrorEvent
  | WarningEvent
  | BuildDoneEvent
  | BuildErrorEvent;

/** The `kind` values, in a stable order. */
export const PROGRESS_EVENT_KINDS: readonly ProgressEvent['kind'][] = [
  'build-start',
  'vertex-start',
  'vertex-log',
  'vertex-progress',
  'vertex-cached',
  'vertex-done',
  'vertex-error',
  'warning',
  'build-done',
  'build-error',
];

/** Receives events; must not throw (renderers and listeners handle their own failures). */
export type ProgressListener = (event: ProgressEvent) => void;

type WithoutTime<T> = T extends unknown ? Omit<T, 'time'> : never;

/** An event before it is stamped with the clock's time. */
export type UnstampedEvent = WithoutTime<ProgressEvent>;

/** Stamps events with the clock's time and hands them to a listener. */
export type ProgressEmitter = (event: UnstampedEvent) => void;
