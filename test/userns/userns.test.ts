import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import {
  checkPrerequisites,
  contextForPlan,
  contextFromEnv,
  detectIdentity,
  type HostPrerequisites,
  parseSubIdFile,
  planIdMappings,
} from '../../src/userns/index.js';
import { repoRoot } from '../helpers/paths.js';

const SUBUID = `# comment
alice:100000:65536

bob:200000:1000
1001:300000:65536
alice:400000:10
bad line
carol:x:5
dave:5:0
alice:100000:65536
`;

describe('parseSubIdFile / detectIdentity', () => {
  it('parses names, numeric uids, multiple ranges, and skips bad lines', () => {
    const { entries, invalidLines } = parseSubIdFile(SUBUID);
    assert.equal(entries.length, 5);
    assert.deepEqual(invalidLines, [7, 8, 9]);
    const alice = detectIdentity({
      uid: 1001,
      gid: 1001,
      username: 'alice',
      subuidText: SUBUID,
      subgidText: '',
    });
    assert.deepEqual(alice.subuids, [
      { start: 100000, count: 65536 },
      { start: 300000, count: 65536 },
      { start: 400000, count: 10 },
    ]);
    assert.deepEqual(alice.subgids, []);
    assert.equal(alice.warnings.length, 1);
  });

  it('matches a user only by its numeric uid when the name is unknown', () => {
    const id = detectIdentity({
      uid: 1001,
      gid: 5,
      username: undefined,
      subuidText: SUBUID,
      subgidText: SUBUID,
    });
    assert.deepEqual(id.subuids, [{ start: 300000, count: 65536 }]);
    assert.deepEqual(id.subgids, [{ start: 300000, count: 65536 }]);
  });
});

describe('planIdMappings', () => {
  const identity = (text: string, uid = 1000) =>
    detectIdentity({ uid, gid: 1000, username: 'u', subuidText: text, subgidText: text });

  it('maps the user to 0 and the ranges to 1..N in order', () => {
    const plan = planIdMappings(identity('u:100000:65536\nu:300000:100\n'));
    assert.equal(plan.kind, 'subordinate');
    if (plan.kind !== 'subordinate') return;
    assert.deepEqual(plan.uidMap, [
      { inside: 0, outside: 1000, count: 1 },
      { inside: 1, outside: 100000, count: 65536 },
      { inside: 65537, outside: 300000, count: 100 },
    ]);
    assert.equal(contextForPlan(plan).uidCount, 65637);
  });

  it('falls back to a single id with a warning and the xattr ownership strategy', () => {
    const plan = planIdMappings(identity(''));
    assert.equal(plan.kind, 'single');
    assert.equal(plan.ownership, 'xattr');
    assert.match(plan.warnings.join('\n'), /no subordinate ids/);
    assert.throws(() => planIdMappings(identity(''), { allowSingleId: false }), { code: 'E_USERNS' });
  });

  it('rejects a too small range and overlapping ranges with E_USERNS', () => {
    assert.throws(
      () => planIdMappings(identity('u:100000:1000\n')),
      (e: unknown) => {
        assert.ok(isKilnError(e));
        assert.equal(e.code, 'E_USERNS');
        assert.match(e.hint ?? '', /usermod/);
        return true;
      },
    );
    assert.throws(() => planIdMappings(identity('u:100000:65536\nu:100100:65536\n')), { code: 'E_USERNS' });
    assert.throws(() => planIdMappings(identity('u:0:65536\n', 5)), { code: 'E_USERNS' });
  });

  it('needs no namespace as real root, but nests one as root of a container', () => {
    assert.equal(planIdMappings(identity('', 0)).kind, 'root');
    const real = detectIdentity({
      uid: 0,
      gid: 0,
      username: 'root',
      subuidText: '',
      subgidText: '',
      uidMapText: '         0          0 4294967295\n',
    });
    assert.equal(planIdMappings(real).kind, 'root');
    const container = detectIdentity({
      uid: 0,
      gid: 0,
      username: 'root',
      subuidText: '',
      subgidText: '',
      uidMapText: '         0       1001          1\n         1     100000      65536\n',
      gidMapText: '0 1001 1\n',
    });
    const plan = planIdMappings(container);
    assert.equal(plan.kind, 'nested');
    if (plan.kind !== 'nested') return;
    assert.deepEqual(plan.uidMap, [
      { inside: 0, outside: 0, count: 1 },
      { inside: 1, outside: 1, count: 65536 },
    ]);
    assert.deepEqual(plan.gidMap, [{ inside: 0, outside: 0, count: 1 }]);
    const ctx = contextForPlan(plan);
    assert.deepEqual([ctx.uidCount, ctx.gidCount, ctx.setgroups, ctx.ownership], [65537, 1, true, 'native']);
  });
});

describe('checkPrerequisites', () => {
  const host: HostPrerequisites = {
    unprivilegedUsernsClone: undefined,
    maxUserNamespaces: '1000\n',
    apparmorRestrict: undefined,
    unshare: '/usr/bin/unshare',
    newuidmap: '/usr/bin/newuidmap',
    newgidmap: '/usr/bin/newgidmap',
  };
  const sub = planIdMappings(
    detectIdentity({
      uid: 1000,
      gid: 1000,
      username: 'u',
      subuidText: 'u:100000:65536',
      subgidText: 'u:100000:65536',
    }),
  );
  it('accepts a capable host and explains each missing piece', () => {
    checkPrerequisites(sub, host);
    const cases: [Partial<HostPrerequisites>, RegExp][] = [
      [{ unprivilegedUsernsClone: '0\n' }, /unprivileged_userns_clone=1/],
      [{ maxUserNamespaces: '0\n' }, /max_user_namespaces/],
      [{ apparmorRestrict: '1\n' }, /apparmor/],
      [{ newuidmap: undefined }, /apt-get install uidmap/],
      [{ unshare: undefined }, /util-linux/],
    ];
    for (const [patch, hint] of cases) {
      assert.throws(
        () => checkPrerequisites(sub, { ...host, ...patch }),
        (e: unknown) => isKilnError(e) && e.code === 'E_USERNS' && hint.test(e.hint ?? ''),
      );
    }
  });
});

describe('contextFromEnv', () => {
  it('round-trips and rejects garbage', () => {
    assert.equal(contextFromEnv({}), undefined);
    assert.throws(() => contextFromEnv({ KILN_USERNS: '{"kind":"x"}' }), { code: 'E_USERNS' });
  });
});

function runAs(user: string, mode: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    'runuser',
    ['-u', user, '--', process.execPath, '--import', 'tsx', 'test/userns/fixtures/enter-and-report.ts', mode],
    { cwd: repoRoot(), encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/tmp' } },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const isRoot = process.getuid?.() === 0;
describe('enterUserNamespace (as the non-root test users)', {
  skip: !isRoot && 'needs root to runuser',
}, () => {
  it('kilntest: becomes uid 0 with its subordinate range mapped at 1..N', () => {
    const r = runAs('kilntest', 'auto');
    assert.equal(r.status, 7, r.stderr);
    const seen = JSON.parse(r.stdout);
    assert.equal(seen.uid, 0);
    assert.equal(seen.gid, 0);
    const lines = (seen.uidMap as string)
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0]!.slice(0, 1), [0]);
    assert.deepEqual([lines[1]![0], lines[1]![2]], [1, 65536]);
    assert.equal(seen.context.kind, 'subordinate');
    assert.equal(seen.context.ownership, 'native');
  });

  it('kilntest-noid: single-id fallback with a warning', () => {
    const r = runAs('kilntest-noid', 'auto');
    assert.equal(r.status, 7, r.stderr);
    const seen = JSON.parse(r.stdout);
    assert.equal(seen.uid, 0);
    assert.equal((seen.uidMap as string).trim().split('\n').length, 1);
    assert.equal(seen.context.kind, 'single');
    assert.equal(seen.context.setgroups, false);
    assert.match(r.stderr, /no subordinate ids/);
  });
});
