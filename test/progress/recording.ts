/**
 * Test helpers: recorded event sequences, an in-memory stream, a hand-driven clock and scheduler.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { decodeProgressEvent } from '../../src/progress/decode.js';
import type { Clock, ProgressEvent } from '../../src/progress/events.js';
import type { Scheduler } from '../../src/progress/tty.js';
import { repoRoot } from '../helpers/paths.js';

/** A file of test/progress/fixtures (fixtures are not compiled: the same path from src and dist). */
export function fixturePath(name: string): string {
  return join(repoRoot(), 'test', 'progress', 'fixtures', name);
}

/** A recorded build, decoded from its rawjson file (`build-success` or `build-failure`). */
export function loadRecording(name: 'build-success' | 'build-failure'): ProgressEvent[] {
  return readFileSync(fixturePath(`${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map(decodeProgressEvent);
}

/** The Dockerfile the recordings were made from. */
export function recordedDockerfile(): string {
  return readFileSync(fixturePath('Dockerfile'), 'utf8');
}

/** A writable that keeps everything written to it, with the individual writes. */
export class MemoryStream extends Writable {
  readonly chunks: string[] = [];
  isTTY = false;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(String(chunk));
    callback();
  }

  get text(): string {
    return this.chunks.join('');
  }
}

/** A clock set by the test. */
export class ManualClock implements Clock {
  constructor(public time = 0) {}
  now(): number {
    return this.time;
  }
}

/** A scheduler whose timers only fire when the test advances the clock. */
export class ManualScheduler implements Scheduler {
  #next = 1;
  readonly #timers = new Map<number, { readonly at: number; readonly callback: () => void }>();

  constructor(private readonly clock: ManualClock) {}

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.clock.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Moves the clock to `time`, firing due timers in order. */
  advanceTo(time: number): void {
    for (;;) {
      let due: [number, { readonly at: number; readonly callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= time && (due === undefined || entry[1].at < due[1].at)) due = entry;
      }
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.clock.time = Math.max(this.clock.time, due[1].at);
      due[1].callback();
    }
    this.clock.time = time;
  }
}
