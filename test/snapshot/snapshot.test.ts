import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { asDigest } from '../../src/oci/digest.js';
import { parseOpaqueListing } from '../../src/snapshot/copy.js';
import { layerDir, lowersFor, overlayOptions } from '../../src/snapshot/index.js';
import { repoRoot } from '../helpers/paths.js';

const D1 = asDigest(`sha256:${'a'.repeat(64)}`);
const D2 = asDigest(`sha256:${'b'.repeat(64)}`);

describe('snapshot pure helpers', () => {
  it('lays out one directory per diffID and orders lowers top first', () => {
    assert.equal(layerDir('/s', D1), `/s/sha256/${'a'.repeat(64)}`);
    assert.deepEqual(lowersFor('/s', [D1, D2]), [layerDir('/s', D2), layerDir('/s', D1)]);
  });
  it('builds overlay options and refuses unsafe paths and oversized option strings', () => {
    assert.equal(
      overlayOptions(['/l2', '/l1'], '/u', '/w', ['userxattr']),
      'lowerdir=/l2:/l1,upperdir=/u,workdir=/w,userxattr',
    );
    assert.throws(() => overlayOptions(['/a:b'], '/u', '/w', []), { code: 'E_SNAPSHOT' });
    assert.throws(() => overlayOptions(['/a,b'], '/u', '/w', []), { code: 'E_SNAPSHOT' });
    assert.throws(
      () =>
        overlayOptions(
          Array.from({ length: 200 }, (_, i) => `/very/long/snapshot/path/${i}/xxxxxxxx`),
          '/u',
          '/w',
          [],
        ),
      {
        code: 'E_SNAPSHOT',
      },
    );
  });
  it('parses getfattr listings of opaque directories', () => {
    const listing =
      '# file: /L/d1\nuser.overlay.opaque="y"\n\n# file: /L/d2\nuser.overlay.opaque="n"\n\n# file: /L/x/d3\ntrusted.overlay.opaque="y"\n\n';
    assert.deepEqual(parseOpaqueListing(listing, '/L'), ['d1', 'x/d3']);
  });
});

interface StrategyOutcome {
  before: Record<string, string>;
  exitCode: number;
  stdout: string[];
  changes?: string[];
  upperA?: boolean;
  baseUntouched?: boolean;
  left: string[];
}

function scenarios(user: string | undefined): Record<string, unknown> {
  const node = [process.execPath, '--import', 'tsx', 'test/snapshot/fixtures/snapshot-scenarios.ts'];
  const [cmd, ...args] = user === undefined ? node : ['runuser', '-u', user, '--', ...node];
  const r = spawnSync(cmd!, args, {
    cwd: repoRoot(),
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: '/tmp' },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const MERGED = {
  'data/a': 'a2',
  'data/b': '<missing>',
  'data/keep/old': '<missing>',
  'data/keep/new': 'new',
};
const canRun = process.getuid?.() === 0 && existsSync('/bin/busybox');

for (const [user, label, chownWorks] of [
  ['kilntest', 'rootless with subordinate ids', true],
  ['kilntest-noid', 'rootless single-id', false],
  [undefined, 'real root', true],
] as const) {
  describe(`snapshots (${label})`, { skip: !canRun && 'needs root (runuser) and busybox-static' }, () => {
    it('probes kernel overlayfs (userxattr inside a user namespace) and stacks lowers with whiteouts and opaque dirs', () => {
      const r = scenarios(user);
      assert.equal(r.chosen, 'overlay', JSON.stringify(r.probe));
      assert.equal(r.userxattr, user !== undefined);
      const overlay = r.overlay as StrategyOutcome;
      const copy = r.copy as StrategyOutcome;
      for (const s of [overlay, copy]) {
        assert.deepEqual(s.before, MERGED);
        assert.deepEqual(s.left, [], 'cleanup removes the snapshot');
        assert.deepEqual(s.stdout, chownWorks ? ['1000'] : []);
      }
      assert.ok(overlay.changes!.includes('made'));
      assert.equal(overlay.upperA, true, 'deleting a lower file leaves a whiteout in upper');
      assert.equal(copy.baseUntouched, true, 'the copy base stays as it was');
      assert.deepEqual(r.lowersIntact, {
        'data/a': 'a1',
        'data/b': 'b1',
        'data/keep/old': 'old',
        'data/keep/new': '<missing>',
      });
    });
  });
}
