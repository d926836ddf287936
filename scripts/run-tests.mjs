#!/usr/bin/env node
// Runs the compiled test files with node's test runner.
//   node scripts/run-tests.mjs            all tests (unit, conformance, e2e)
//   node scripts/run-tests.mjs --unit     everything but test/e2e
//   node scripts/run-tests.mjs PATTERN    only test files whose path contains PATTERN
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testDir = join(root, 'dist', 'test');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

let files = collect(testDir).map((f) => relative(root, f));
if (unitOnly) files = files.filter((f) => !f.includes(`${join('test', 'e2e')}`));
if (filters.length > 0) files = files.filter((f) => filters.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${process.env.KILN_TEST_CONCURRENCY ?? '2'}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
