/**
 * Leak-scan throughput: scans a ~200 MB uncompressed layer tar (pseudo-random text files, so the
 * automaton sees realistic byte classes) for `secrets` secrets in every form, and prints MB/s (median
 * of `runs`). Reference, when installed: `grep -a -F -c -f PATTERNS` over the same file (GNU grep's
 * multi-pattern search, with the same patterns; it does not follow the tar framing).
 * Run: npx tsx bench/secret-scan.ts [mb=200] [secrets=10] [runs=3] [dir=/tmp]
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { MultiPatternMatcher } from '../src/secrets/multi-pattern-matcher.js';
import { scanForSecrets } from '../src/secrets/scan-for-secrets.js';
import { secretPatterns } from '../src/secrets/secret-forms.js';
import {
  hasTool,
  measure,
  medianSample,
  options,
  type Sample,
  sampleRate,
  sampleRatio,
} from './lib/measure.js';

const opts = options({ mb: '200', secrets: '10', runs: '3', dir: tmpdir() });
const runs = Number(opts.runs);

function pseudoRandomText(bytes: number, seed: number): Buffer {
  const alphabet = Buffer.from(
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-=/+.,:\n{}"',
  );
  const out = Buffer.alloc(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = alphabet[(x >>> 0) % alphabet.length]!;
  }
  return out;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(opts.dir, 'kiln-bench-scan-'));
  try {
    const layer = join(dir, 'layer.tar');
    const files = 2000;
    const perFile = Math.floor((Number(opts.mb) * 1024 * 1024) / files);
    const body = pseudoRandomText(perFile, 7);
    const p = pack();
    const written = pipeline(p, createWriteStream(layer));
    for (let i = 0; i < files; i++) {
      body.writeUInt32LE(i, 0);
      await new Promise<void>((resolve, reject) =>
        p.entry({ name: `usr/share/d${i % 40}/f${i}.txt`, size: body.length }, body, (e) =>
          e ? reject(e) : resolve(),
        ),
      );
    }
    p.finalize();
    await written;
    const bytes = (await stat(layer)).size;
    const secrets = Array.from({ length: Number(opts.secrets) }, (_, i) => ({
      id: `s${i}`,
      value: pseudoRandomText(24 + i * 8, 1000 + i),
    }));
    const patterns = secretPatterns(secrets);
    const matcher = new MultiPatternMatcher(patterns.map((x) => x.bytes));
    console.log(
      `layer ${(bytes / 1024 / 1024).toFixed(0)} MB, ${secrets.length} secrets -> ${patterns.length} patterns, ${matcher.stateCount} states`,
    );

    const kiln: Sample[] = [];
    for (let r = 0; r < runs; r++) {
      kiln.push(
        await measure(async () => {
          const leaks = await scanForSecrets({
            secrets,
            layers: [() => createReadStream(layer, { highWaterMark: 1 << 20 })],
          });
          if (leaks.length !== 0) throw new Error('unexpected leak in benchmark data');
        }),
      );
    }
    const kilnSample = medianSample(kiln);
    console.log(`kiln scanForSecrets      ${sampleRate(bytes, kilnSample)}`);

    if (hasTool('grep')) {
      const patternFile = join(dir, 'patterns');
      await writeFile(
        patternFile,
        `${patterns
          .map((x) => x.bytes.toString('latin1').replace(/\n/g, ''))
          .filter(Boolean)
          .join('\n')}\n`,
      );
      const grep: Sample[] = [];
      for (let r = 0; r < runs; r++) {
        grep.push(
          await measure(() => {
            try {
              execFileSync('grep', ['-a', '-F', '-c', '-f', patternFile, layer], {
                stdio: 'ignore',
                env: { LC_ALL: 'C' },
              });
            } catch {
              // exit 1 = no match
            }
          }),
        );
      }
      const grepSample = medianSample(grep);
      console.log(`grep -aFc -f (reference) ${sampleRate(bytes, grepSample)}`);
      console.log(`kiln vs grep: ${sampleRatio(kilnSample, grepSample)}`);
    } else {
      console.log('grep not installed: no reference');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
