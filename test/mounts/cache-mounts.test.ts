import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CacheMount } from '../../src/dockerfile/instructions/types.js';
import { CacheMountManager, listCacheMounts } from '../../src/mounts/cache-mounts.js';
import { lockFile } from '../../src/mounts/process-lock.js';
import { repoRoot } from '../helpers/paths.js';

/** node arguments running the fixture beside this file: `.ts` through tsx from source, `.js` when compiled. */
const FIXTURE = import.meta.url.endsWith('.ts')
  ? ['--import', 'tsx', fileURLToPath(new URL('./fixtures/hold-cache-mount.ts', import.meta.url))]
  : [fileURLToPath(new URL('./fixtures/hold-cache-mount.js', import.meta.url))];

const cache = (m: Partial<CacheMount>): CacheMount => ({
  type: 'cache',
  target: '/root/.cache',
  id: '/root/.cache',
  sharing: 'shared',
  readOnly: false,
  mode: 0o755,
  uid: process.getuid!(),
  gid: process.getgid!(),
  ...m,
});

function holder(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...FIXTURE, ...args], {
      cwd: repoRoot(),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`holder exited ${code}`))));
  });
}

describe('CacheMountManager', () => {
  let dir = '';
  let root = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-cache-'));
    root = join(dir, 'cache-mounts');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('shared: the same directory for concurrent users and across acquisitions; persistent', async () => {
    const m = new CacheMountManager({ root });
    const a = await m.acquire({ mount: cache({ id: 'go' }) });
    const b = await m.acquire({ mount: cache({ id: 'go' }) });
    assert.equal(a.path, b.path);
    assert.deepEqual(a.mount, { kind: 'bind', source: a.path, target: '/root/.cache', readonly: false });
    await writeFile(join(a.path, 'kept'), 'v1');
    await a.release();
    await b.release();
    const c = await new CacheMountManager({ root }).acquire({ mount: cache({ id: 'go' }) });
    assert.equal(await readFile(join(c.path, 'kept'), 'utf8'), 'v1');
    await c.release();
  });

  it('private: a new directory per concurrent user, reused once free', async () => {
    const m = new CacheMountManager({ root });
    const a = await m.acquire({ mount: cache({ id: 'p', sharing: 'private' }) });
    const b = await m.acquire({ mount: cache({ id: 'p', sharing: 'private' }) });
    assert.notEqual(a.path, b.path);
    await a.release();
    const c = await m.acquire({ mount: cache({ id: 'p', sharing: 'private' }) });
    assert.equal(c.path, a.path);
    await b.release();
    await c.release();
  });

  it('applies mode on creation, ro, and seeds a new directory from a given one', async () => {
    const seed = join(dir, 'seed');
    await mkdir(join(seed, 'sub'), { recursive: true });
    await writeFile(join(seed, 'sub', 'f'), 'seeded');
    const m = new CacheMountManager({ root });
    const lease = await m.acquire({
      mount: cache({ id: 'seeded', mode: 0o700, readOnly: true }),
      seed: { dir: seed, key: 'stage-1:/src' },
    });
    assert.equal((await stat(lease.path)).mode & 0o777, 0o700);
    assert.equal(await readFile(join(lease.path, 'sub', 'f'), 'utf8'), 'seeded');
    assert.equal(lease.mount.kind === 'bind' && lease.mount.readonly, true);
    await lease.release();
    const unseeded = await m.acquire({ mount: cache({ id: 'seeded' }) });
    assert.notEqual(unseeded.path, lease.path, 'the seed is part of the key');
    await unseeded.release();
  });

  it('locked: serialises users in different processes', async () => {
    const log = join(dir, 'locked.log');
    await writeFile(log, '');
    await Promise.all(['a', 'b', 'c'].map((tag) => holder([root, 'serial', 'locked', log, tag, '300'])));
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 6);
    for (let i = 0; i < 6; i += 2) {
      const tag = lines[i]!.split(' ')[1];
      assert.match(lines[i]!, /^start /);
      assert.equal(lines[i + 1], `end ${tag}`, lines.join('\n'));
    }
    assert.equal(
      new Set(lines.filter((l) => l.startsWith('start')).map((l) => l.split(' ')[2])).size,
      1,
      'one directory',
    );
  });

  it('shared users in different processes overlap (control for the locked test)', async () => {
    const log = join(dir, 'shared.log');
    await writeFile(log, '');
    await Promise.all(['a', 'b'].map((tag) => holder([root, 'together', 'shared', log, tag, '1500'])));
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    assert.deepEqual(
      lines.map((l) => l.split(' ')[0]),
      ['start', 'start', 'end', 'end'],
    );
  });

  it('lists entries with sizes; prune removes idle ones and keeps busy ones', async () => {
    const r2 = join(dir, 'prune-root');
    const m = new CacheMountManager({ root: r2 });
    const idle = await m.acquire({ mount: cache({ id: 'idle' }) });
    await writeFile(join(idle.path, 'blob'), Buffer.alloc(1000));
    await idle.release();
    const busy = await m.acquire({ mount: cache({ id: 'busy', sharing: 'locked' }) });
    await writeFile(join(busy.path, 'x'), 'abc');
    const listed = await listCacheMounts(r2);
    assert.deepEqual(listed.map((i) => [i.id, i.bytes, i.directories]).sort(), [
      ['busy', 3, 1],
      ['idle', 1000, 1],
    ]);
    const pruned = await m.prune();
    assert.deepEqual(
      pruned.removed.map((i) => i.id),
      ['idle'],
    );
    assert.deepEqual(pruned.busy, ['busy']);
    assert.deepEqual(
      (await m.list()).map((i) => i.id),
      ['busy'],
    );
    await busy.release();
    assert.deepEqual(
      (await m.prune()).removed.map((i) => i.id),
      ['busy'],
    );
    assert.deepEqual(await m.list(), []);
  });
});

describe('lockFile', () => {
  it('exclusive excludes, shared shares, nonblocking returns undefined, release frees', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiln-lock-'));
    try {
      const path = join(dir, 'l');
      const s1 = await lockFile(path, { mode: 'shared', wait: false });
      const s2 = await lockFile(path, { mode: 'shared', wait: false });
      assert.ok(s1 && s2);
      assert.equal(await lockFile(path, { mode: 'exclusive', wait: false }), undefined);
      await s1.release();
      await s2.release();
      const x = await lockFile(path, { mode: 'exclusive', wait: false });
      assert.ok(x);
      const controller = new AbortController();
      const waiting = lockFile(path, { mode: 'shared', wait: true, signal: controller.signal });
      controller.abort();
      await assert.rejects(waiting, (e: unknown) => (e as { code?: string }).code === 'E_ABORTED');
      await x.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
