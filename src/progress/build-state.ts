/**
 * Folds progress events into what a renderer shows: the vertices in order of appearance with their
 * status, timings, counters and a bounded tail of their output. One instance per build.
 */
import { assertNever, type SourceLocation } from '../errors.js';
import type {
  LogStream,
  ProgressDiagnostic,
  ProgressError,
  ProgressEvent,
  ProgressUnit,
  VertexId,
} from './events.js';
import { RingBuffer } from './ring-buffer.js';

/** One kept output line. */
export interface LogLine {
  readonly time: number;
  readonly stream: LogStream;
  readonly line: string;
}

/** One counter of a vertex (latest values). */
export interface ProgressItem {
  readonly item: string;
  readonly current: number;
  readonly total: number | undefined;
  readonly unit: ProgressUnit;
  readonly done: boolean;
  /** When the item was first reported. */
  readonly startTime: number;
  readonly time: number;
}

export type VertexStatus = 'running' | 'cached' | 'done' | 'error';

/** What is known about one vertex. */
export interface VertexState {
  readonly id: VertexId;
  /** 1-based, in order of first appearance: the `#N` of plain output. */
  readonly index: number;
  name: string;
  stage: string | undefined;
  location: SourceLocation | undefined;
  startTime: number;
  endTime: number | undefined;
  status: VertexStatus;
  durationMs: number | undefined;
  readonly logs: RingBuffer<LogLine>;
  readonly progress: Map<string, ProgressItem>;
  error: ProgressError | undefined;
  exitCode: number | undefined;
}

export type BuildOutcome =
  | {
      readonly kind: 'done';
      readonly digest: string;
      readonly tags: readonly string[];
      readonly durationMs: number;
    }
  | {
      readonly kind: 'error';
      readonly error: ProgressError;
      readonly location: SourceLocation | undefined;
      readonly durationMs: number;
    };

export interface BuildStateOptions {
  /** Output lines kept per vertex (default 10). */
  readonly logLines?: number;
}

/** Mutable per-build model; renderers own one each. */
export class BuildState {
  readonly #vertices = new Map<VertexId, VertexState>();
  readonly #warnings: ProgressDiagnostic[] = [];
  readonly #logLines: number;
  #startTime: number | undefined;
  #outcome: BuildOutcome | undefined;

  constructor(options: BuildStateOptions = {}) {
    this.#logLines = options.logLines ?? 10;
  }

  /** Vertices in order of first appearance. */
  get vertices(): readonly VertexState[] {
    return [...this.#vertices.values()];
  }

  get warnings(): readonly ProgressDiagnostic[] {
    return this.#warnings;
  }

  /** The time of `build-start`, or of the first event seen. */
  get startTime(): number | undefined {
    return this.#startTime;
  }

  get outcome(): BuildOutcome | undefined {
    return this.#outcome;
  }

  vertex(id: VertexId): VertexState | undefined {
    return this.#vertices.get(id);
  }

  /** Applies one event; returns the vertex it concerned, if any. */
  apply(event: ProgressEvent): VertexState | undefined {
    this.#startTime ??= event.time;
    switch (event.kind) {
      case 'build-start':
        this.#startTime = event.time;
        return undefined;
      case 'vertex-start': {
        const vertex = this.#ensure(event.id, event.time);
        vertex.name = event.name;
        vertex.stage = event.stage;
        vertex.location = event.location;
        return vertex;
      }
      case 'vertex-log': {
        const vertex = this.#ensure(event.id, event.time);
        vertex.logs.push({ time: event.time, stream: event.stream, line: event.line });
        return vertex;
      }
      case 'vertex-progress': {
        const vertex = this.#ensure(event.id, event.time);
        const previous = vertex.progress.get(event.item);
        vertex.progress.set(event.item, {
          item: event.item,
          current: event.current,
          total: event.total,
          unit: event.unit,
          done: event.done === true,
          startTime: previous?.startTime ?? event.time,
          time: event.time,
        });
        return vertex;
      }
      case 'vertex-cached': {
        const vertex = this.#ensure(event.id, event.time);
        vertex.status = 'cached';
        vertex.endTime = event.time;
        vertex.durationMs = 0;
        return vertex;
      }
      case 'vertex-done': {
        const vertex = this.#ensure(event.id, event.time);
        vertex.status = 'done';
        vertex.endTime = event.time;
        vertex.durationMs = event.durationMs;
        return vertex;
      }
      case 'vertex-error': {
        const vertex = this.#ensure(event.id, event.time);
        vertex.status = 'error';
        vertex.endTime = event.time;
        vertex.durationMs = event.time - vertex.startTime;
        vertex.error = event.error;
        vertex.exitCode = event.exitCode;
        if (event.location !== undefined) vertex.location = event.location;
        return vertex;
      }
      case 'warning':
        this.#warnings.push(event.diagnostic);
        return event.id === undefined ? undefined : this.#vertices.get(event.id);
      case 'build-done':
        this.#outcome = {
          kind: 'done',
          digest: event.digest,
          tags: event.tags,
          durationMs: event.durationMs,
        };
        return undefined;
      case 'build-error':
        this.#outcome = {
          kind: 'error',
          error: event.error,
          location: event.location,
          durationMs: event.durationMs,
        };
        return undefined;
      default:
        return assertNever(event, 'progress event');
    }
  }

  /** Vertices that ended in an error, in order. */
  failedVertices(): VertexState[] {
    return this.vertices.filter((v) => v.status === 'error');
  }

  /** Counts for summaries. */
  counts(): { readonly total: number; readonly finished: number; readonly cached: number } {
    let finished = 0;
    let cached = 0;
    for (const v of this.#vertices.values()) {
      if (v.status !== 'running') finished += 1;
      if (v.status === 'cached') cached += 1;
    }
    return { total: this.#vertices.size, finished, cached };
  }

  /** A vertex seen for the first time (even through a log before its start) is created as running. */
  #ensure(id: VertexId, time: number): VertexState {
    let vertex = this.#vertices.get(id);
    if (vertex === undefined) {
      vertex = {
        id,
        index: this.#vertices.size + 1,
        name: id,
        stage: undefined,
        location: undefined,
        startTime: time,
        endTime: undefined,
        status: 'running',
        durationMs: undefined,
        logs: new RingBuffer<LogLine>(this.#logLines),
        progress: new Map(),
        error: undefined,
        exitCode: undefined,
      };
      this.#vertices.set(id, vertex);
    }
    return vertex;
  }
}
