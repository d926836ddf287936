/**
 * The normaliser and comparison helpers on hand-made images (no builder needed): layer application with
 * whiteouts and opaque directories, owners, special modes, links, fifos, gzip layers, layout directory
 * vs archive, canonical config, reference checks, deviation corrections and recorded round trips.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, link, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeOciLayout } from '../../bench/lib/oci-layout.js';
import { checkExpected } from './check-expected.js';
import { compareImages } from './compare.js';
import { correctBuildah, type Deviation, dropUnspecified } from './deviations.js';
import { canonicalConfig } from './image-config.js';
import { type NormalisedImage, normaliseImage, treeDelta } from './normalise.js';
import { fromRecorded, toRecorded } from './recorded.js';
import { type TreeEntry, walkTree } from './tree-walk.js';

const isRoot = process.getuid?.() === 0;
const rootSkip = isRoot ? false : 'needs root (layer owners)';
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-diff-unit-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function tarOf(source: string, out: string, gzip: boolean): string {
  execFileSync('tar', ['--numeric-owner', '--xattrs', gzip ? '-czf' : '-cf', out, '-C', source, '.']);
  return `sha256:${createHash('sha256')
    .update(gzip ? execFileSync('gzip', ['-dc', out]) : execFileSync('cat', [out]))
    .digest('hex')}`;
}

/** Two layers: a base tree, then deletions (whiteout, opaque dir) and changes, gzip-compressed. */
async function makeLayout(): Promise<string> {
  const l1 = join(dir, 'l1');
  await mkdir(join(l1, 'opaque', 'old'), { recursive: true });
  await mkdir(join(l1, 'keep'), { recursive: true });
  await writeFile(join(l1, 'keep', 'suid'), 'suid\n');
  await chmod(join(l1, 'keep', 'suid'), 0o4755);
  await writeFile(join(l1, 'keep', 'owned'), 'owned\n');
  await chown(join(l1, 'keep', 'owned'), 1000, 2000);
  await link(join(l1, 'keep', 'owned'), join(l1, 'keep', 'hard'));
  await symlink('../keep/suid', join(l1, 'keep', 'soft'));
  execFileSync('mkfifo', [join(l1, 'keep', 'fifo')]);
  await writeFile(join(l1, 'gone.txt'), 'gone\n');
  await writeFile(join(l1, 'opaque', 'old', 'file'), 'old\n');
  await chmod(join(l1, 'opaque'), 0o1777);
  const l2 = join(dir, 'l2');
  await mkdir(join(l2, 'opaque'), { recursive: true });
  await chmod(join(l2, 'opaque'), 0o1777);
  await writeFile(join(l2, 'opaque', '.wh..wh..opq'), '');
  await writeFile(join(l2, 'opaque', 'new'), 'new\n');
  await writeFile(join(l2, '.wh.gone.txt'), '');
  const layout = join(dir, 'layout');
  const t1 = join(dir, 'l1.tar');
  const t2 = join(dir, 'l2.tar.gz');
  const d1 = tarOf(l1, t1, false);
  const d2 = tarOf(l2, t2, true);
  await writeOciLayout({
    layout,
    tag: 'test',
    layers: [
      { file: t1, mediaType: 'application/vnd.oci.image.layer.v1.tar', diffID: d1 },
      { file: t2, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', diffID: d2 },
    ],
  });
  return layout;
}

function byPath(image: NormalisedImage): Map<string, TreeEntry> {
  return new Map(image.tree.map((e) => [e.path, e]));
}

test('normaliseImage: layers applied in order with whiteouts, opaque dirs, owners and special files', {
  skip: rootSkip,
}, async () => {
  const layout = await makeLayout();
  const image = await normaliseImage({ path: layout, ref: 'test' });
  const entries = byPath(image);
  assert.deepEqual(
    image.tree.map((e) => e.path),
    [
      '/keep',
      '/keep/fifo',
      '/keep/hard',
      '/keep/owned',
      '/keep/soft',
      '/keep/suid',
      '/opaque',
      '/opaque/new',
    ],
  );
  assert.deepEqual(entries.get('/keep/suid'), {
    path: '/keep/suid',
    type: 'file',
    mode: '4755',
    uid: 0,
    gid: 0,
    size: 5,
    sha256: sha('suid\n'),
  });
  assert.equal(entries.get('/keep/owned')?.uid, 1000);
  assert.equal(entries.get('/keep/owned')?.gid, 2000);
  assert.equal(entries.get('/keep/hard')?.sha256, sha('owned\n'));
  assert.deepEqual(
    { type: entries.get('/keep/soft')?.type, target: entries.get('/keep/soft')?.target },
    { type: 'symlink', target: '../keep/suid' },
  );
  assert.equal(entries.get('/keep/fifo')?.type, 'fifo');
  assert.equal(entries.get('/opaque')?.mode, '1777');
  assert.equal(entries.get('/opaque/new')?.sha256, sha('new\n'));
  assert.deepEqual(image.config, {});

  const archive = join(dir, 'layout.tar');
  execFileSync('tar', ['-cf', archive, '-C', layout, '.']);
  assert.deepEqual(await normaliseImage({ path: archive }), image, 'an archive of the layout reads the same');
});

test('walkTree ignores timestamps', async () => {
  const tree = join(dir, 'times');
  await mkdir(join(tree, 'd'), { recursive: true });
  await writeFile(join(tree, 'd', 'f'), 'x');
  const first = await walkTree(tree);
  await utimes(join(tree, 'd', 'f'), 1, 1);
  await utimes(join(tree, 'd'), 2, 2);
  assert.deepEqual(await walkTree(tree), first);
  await writeFile(join(tree, 'd', 'f'), 'y');
  assert.notDeepEqual(await walkTree(tree), first, 'content changes are seen');
});

test('canonicalConfig keeps the Dockerfile fields, drops empty ones, sorts maps and sets', () => {
  assert.deepEqual(
    canonicalConfig({
      Cmd: ['a'],
      Entrypoint: [],
      Env: ['A=1'],
      User: '',
      ExposedPorts: { '80/tcp': {}, '443/udp': {} },
      Volumes: { '/b': {}, '/a': {} },
      Labels: { z: '1', a: '2' },
      Healthcheck: { Test: ['CMD', 'true'], Interval: 0, Retries: 2 },
      Hostname: 'ignored',
      OnBuild: null,
      Shell: ['/bin/sh', '-ec'],
    }),
    {
      Cmd: ['a'],
      Env: ['A=1'],
      ExposedPorts: ['443/udp', '80/tcp'],
      Labels: { a: '2', z: '1' },
      Healthcheck: { Retries: 2, Test: ['CMD', 'true'] },
      Volumes: ['/a', '/b'],
      Shell: ['/bin/sh', '-ec'],
    },
  );
  assert.deepEqual(canonicalConfig(undefined), {});
});

const sample: NormalisedImage = {
  config: { Cmd: ['/bin/sh'], Labels: { 'io.buildah.version': '1', keep: 'yes' }, ExposedPorts: ['80/tcp'] },
  tree: [
    { path: '/etc', type: 'dir', mode: '0755', uid: 0, gid: 0 },
    { path: '/etc/hosts', type: 'file', mode: '0755', uid: 0, gid: 0, size: 0, sha256: sha('') },
    { path: '/f', type: 'file', mode: '0644', uid: 1, gid: 2, size: 3, sha256: sha('hi\n') },
    { path: '/l', type: 'symlink', mode: '0777', uid: 0, gid: 0, target: 'f' },
    { path: '/proc', type: 'dir', mode: '0555', uid: 0, gid: 0 },
  ],
};

test('checkExpected reports each mismatch and nothing for a match', () => {
  assert.deepEqual(
    checkExpected(sample, {
      reference: 'test',
      config: { Cmd: ['/bin/sh'], ExposedPorts: ['80/tcp'] },
      files: { '/f': { type: 'file', mode: '0644', uid: 1, gid: 2, content: 'hi\n' }, '/l': { target: 'f' } },
      absent: ['/nope'],
    }),
    [],
  );
  assert.deepEqual(
    checkExpected(sample, {
      reference: 'test',
      config: { Cmd: ['/bin/bash'] },
      configAbsent: ['Labels'],
      files: { '/f': { mode: '0600', content: 'ho\n' }, '/missing': { type: 'dir' } },
      absent: ['/l'],
    }),
    [
      'config.Cmd: ["/bin/sh"], want ["/bin/bash"]',
      'config.Labels: {"io.buildah.version":"1","keep":"yes"}, want absent',
      '/f: mode "0644", want "0600"',
      `/f: sha256 "${sha('hi\n')}", want "${sha('ho\n')}"`,
      '/missing: missing',
      '/l: present, want absent',
    ],
  );
  assert.deepEqual(
    checkExpected(
      sample,
      { reference: 'test', config: { Cmd: ['x'] }, files: { '/f': { mode: '0600' } } },
      { configFields: new Set(['Cmd']), paths: new Set(['/f']) },
    ),
    [],
    'excused fields and paths are not checked',
  );
});

const deviations: readonly Deviation[] = [
  { id: 'a', cases: 'all', effect: { kind: 'extra-paths', paths: ['/etc/hosts'] }, reason: '' },
  { id: 'b', cases: 'all', effect: { kind: 'extra-labels', labels: ['io.buildah.version'] }, reason: '' },
  { id: 'c', cases: 'all', effect: { kind: 'unspecified-paths', paths: ['/proc'] }, reason: '' },
  { id: 'd', cases: 'all', effect: { kind: 'wrong-paths', paths: ['/etc'] }, reason: '' },
];

test('correctBuildah and dropUnspecified remove exactly the documented deviations', () => {
  const corrected = correctBuildah(sample, deviations);
  assert.deepEqual(corrected.config.Labels, { keep: 'yes' });
  assert.deepEqual(
    corrected.tree.map((e) => e.path),
    ['/f', '/l'],
  );
  assert.deepEqual(
    dropUnspecified(sample, deviations).tree.map((e) => e.path),
    ['/etc/hosts', '/f', '/l'],
    'the other side keeps buildah-only extras, so a builder that adds them is caught',
  );
});

test('compareImages lists config and tree differences', () => {
  const other: NormalisedImage = {
    config: { Cmd: ['/bin/sh'], ExposedPorts: ['81/tcp'] },
    tree: [
      { ...sample.tree[2]!, mode: '0600' },
      { path: '/new', type: 'dir', mode: '0755', uid: 0, gid: 0 },
    ],
  };
  assert.deepEqual(compareImages(sample, sample, { names: ['a', 'b'] }), []);
  assert.deepEqual(
    compareImages(sample, other, { names: ['a', 'b'], ignoreConfigFields: new Set(['Labels']) }),
    [
      'config.ExposedPorts: a ["80/tcp"] | b ["81/tcp"]',
      '/etc: only in a (dir)',
      '/etc/hosts: only in a (file)',
      '/f: a mode=0644 | b mode=0600',
      '/l: only in a (symlink)',
      '/proc: only in a (dir)',
      '/new: only in b (dir)',
    ],
  );
});

test('recorded results round-trip through a delta against the base tree', () => {
  const base = [
    sample.tree[0]!,
    sample.tree[2]!,
    { path: '/old', type: 'dir', mode: '0755', uid: 0, gid: 0 } as const,
  ];
  const changed: NormalisedImage = {
    config: sample.config,
    tree: [sample.tree[0]!, { ...sample.tree[2]!, uid: 5 }, sample.tree[3]!],
  };
  const record = toRecorded('buildah x', base, changed);
  assert.deepEqual(record.delta, treeDelta(base, changed.tree));
  assert.deepEqual(record.delta.removed, ['/old']);
  assert.deepEqual(
    record.delta.changed.map((e) => e.path),
    ['/f', '/l'],
  );
  assert.deepEqual(fromRecorded(base, record), changed);
});
