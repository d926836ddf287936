/**
 * Golden test: a multi-stage Dockerfile using every instruction and flag, typed, compared with a
 * hand-written JSON snapshot (golden/expected.json). Ranges are reduced to [startLine, endLine] and
 * `original` is left out to keep the snapshot readable.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDockerfile } from '../../../src/dockerfile/parser/index.js';
import { checkDockerfile } from '../../../src/dockerfile/stages/check-dockerfile.js';
import { parseStages } from '../../../src/dockerfile/stages/parse-stages.js';
import { repoRoot } from '../../helpers/paths.js';

const dir = join(repoRoot(), 'test', 'dockerfile', 'instructions', 'golden');
const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');

/** Replaces `range` with `lines` and drops `original` and `flagRanges` (columns), recursively. */
function snapshot(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snapshot);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'original' || k === 'flagRanges') continue;
    if (k === 'range') {
      const r = v as { start: { line: number }; end: { line: number } };
      out.lines = [r.start.line, r.end.line];
      continue;
    }
    out[k] = snapshot(v);
  }
  return out;
}

describe('golden Dockerfile', () => {
  it('types every instruction and flag as the hand-written snapshot says', () => {
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
    const parsed = parseStages(parseDockerfile(dockerfile, {}));
    assert.deepEqual(snapshot(parsed), expected);
  });

  it('resolves: platform args, stage chain, target and skipped checks', () => {
    const r = checkDockerfile(dockerfile, {
      buildArgs: { VERSION: '2.0' },
      targetPlatform: { os: 'linux', architecture: 'arm64', variant: '' },
      buildPlatform: { os: 'linux', architecture: 'amd64', variant: '' },
    });
    const [builder, final, debug] = r.stages;
    assert.equal(builder!.baseName, 'alpine:3.20');
    assert.equal(builder!.platform, 'linux/amd64');
    const args = builder!.instructions[0]!.instruction;
    assert.deepEqual(args.kind === 'arg' ? args.args.map((a) => [a.key, a.value]) : undefined, [
      ['TARGETOS', 'linux'],
      ['TARGETARCH', 'arm64'],
      ['VERSION', '2.0'],
    ]);
    assert.deepEqual(builder!.env, { CGO_ENABLED: '0', GOFLAGS: '-mod=vendor', LEGACY: 'value with spaces' });
    assert.deepEqual(final!.dependsOn, [0]);
    assert.deepEqual(debug!.base, { kind: 'stage', index: 1 });
    assert.equal(r.target.name, 'debug');
    assert.deepEqual(r.reachable, [0, 1, 2]);
    const codes = r.diagnostics.map((d) => d.code);
    assert.ok(!codes.includes('MaintainerDeprecated'), 'skipped by the # check= directive');
    assert.deepEqual(codes, [], 'the debug stage inherits SHELL from final: no JSONArgsRecommended');
    const unskipped = checkDockerfile(dockerfile, { checks: { skip: [] } });
    assert.deepEqual(
      unskipped.diagnostics.map((d) => [d.code, d.range?.start.line]),
      [['MaintainerDeprecated', 29]],
    );
  });
});
