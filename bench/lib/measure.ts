/**
 * Shared benchmark helpers: timing with medians, MB/s formatting, reference-tool detection.
 * Benchmarks print numbers; they never assert on time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, type ReadStream, readFileSync } from 'node:fs';

/** One measured run: wall time, and CPU time of this process plus the children it waited for. */
export interface Sample {
  readonly ms: number;
  readonly cpuMs: number;
}

/**
 * A layer file as a stream read in 1 MiB chunks. With the 64 KiB default, reading alone costs 3-5x
 * more CPU (measured: 150-260 ms vs 50 ms for 200 MB); the store's blob streams should do the same.
 */
export function blobStream(path: string): ReadStream {
  return createReadStream(path, { highWaterMark: 1024 * 1024 });
}

/** Flushes dirty pages so that the writeback of one step does not slow down the next one. */
export function flushDisk(): void {
  spawnSync('sync');
}

/** User + system CPU ms of reaped children (fields 16 and 17 of /proc/self/stat), 0 if unknown. */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17, in USER_HZ (100 on Linux)
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return 0;
  }
}

function cpuMs(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + childrenCpuMs();
}

/**
 * Times `fn` after a disk flush. CPU time is reported too because wall time on a shared machine is
 * noisy; CPU time says how much work each tool does for the same job.
 */
export async function measure(fn: () => Promise<unknown> | unknown): Promise<Sample> {
  flushDisk();
  const cpu = cpuMs();
  const start = performance.now();
  await fn();
  return { ms: performance.now() - start, cpuMs: cpuMs() - cpu };
}

/** Wall ms of `fn` after a disk flush. */
export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  return (await measure(fn)).ms;
}

/** Medians of wall and CPU time over samples. */
export function medianSample(samples: readonly Sample[]): Sample {
  return { ms: median(samples.map((s) => s.ms)), cpuMs: median(samples.map((s) => s.cpuMs)) };
}

/** The median of the samples (the lower middle for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** `12.34 s  56.7 MB/s` for `bytes` processed in `ms`. */
export function rate(bytes: number, ms: number): string {
  const mb = bytes / 1024 / 1024;
  return `${(ms / 1000).toFixed(2).padStart(6)} s ${(mb / (ms / 1000)).toFixed(1).padStart(8)} MB/s`;
}

/** kiln speed relative to a reference (>1 means kiln is faster). */
export function ratio(kilnMs: number, referenceMs: number): string {
  return `${(referenceMs / kilnMs).toFixed(2)}x`;
}

/** `1.23 s  56.7 MB/s   cpu 1.01 s` for `bytes` processed in the sample. */
export function sampleRate(bytes: number, sample: Sample): string {
  return `${rate(bytes, sample.ms)}   cpu ${(sample.cpuMs / 1000).toFixed(2).padStart(6)} s`;
}

/** kiln relative to a reference (>1 means kiln is faster / cheaper), by wall time and by CPU time. */
export function sampleRatio(kiln: Sample, reference: Sample): string {
  return `${ratio(kiln.ms, reference.ms)} wall, ${ratio(kiln.cpuMs, reference.cpuMs)} cpu`;
}

/** Sum of samples (e.g. diff + apply). */
export function sum(a: Sample, b: Sample): Sample {
  return { ms: a.ms + b.ms, cpuMs: a.cpuMs + b.cpuMs };
}

/** True when `tool` runs (`tool --version` exits 0). */
export function hasTool(tool: string, versionArgs: readonly string[] = ['--version']): boolean {
  try {
    execFileSync(tool, [...versionArgs], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Parses `name=value` command-line options with defaults. */
export function options<T extends Record<string, string>>(defaults: T): T {
  const out: Record<string, string> = { ...defaults };
  for (const arg of process.argv.slice(2)) {
    const eq = arg.indexOf('=');
    const key = arg.slice(0, eq).replace(/^--/, '');
    if (eq === -1 || !(key in defaults)) {
      throw new Error(`unknown option ${arg}; known: ${Object.keys(defaults).join(', ')}`);
    }
    out[key] = arg.slice(eq + 1);
  }
  return out as T;
}
