import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openBuildContext, walkContext } from '../../src/context/index.js';
import { isKilnError } from '../../src/errors.js';
import { buildTar, END, type FixtureEntry, padded, rawBlock } from '../layer/tar-fixtures.js';
import { collect, makeTree, withTempDir } from './fixtures.js';

function code(expected: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isKilnError(error), `expected KilnError, got ${String(error)}`);
    assert.equal(error.code, expected, error.message);
    return true;
  };
}

test('directory context: Dockerfile-specific ignore file wins over .dockerignore', async () => {
  await withTempDir(async (dir) => {
    await makeTree(dir, {
      'build/app.Dockerfile': 'FROM scratch\nCOPY . /\n',
      'build/app.Dockerfile.dockerignore': 'secret\n',
      '.dockerignore': 'public\n',
      secret: 's',
      public: 'p',
    });
    const context = await openBuildContext({
      source: { kind: 'dir', path: dir },
      dockerfilePath: 'build/app.Dockerfile',
    });
    assert.equal(context.ignore.source, 'dockerfile');
    assert.equal(context.dockerfile.text, 'FROM scratch\nCOPY . /\n');
    const paths = (await collect(walkContext(context))).map((e) => e.path);
    assert.ok(paths.includes('public'));
    assert.ok(!paths.includes('secret'));
  });
});

test('directory context: .dockerignore applies when no specific file; absolute -f outside the context', async () => {
  await withTempDir(async (dir) => {
    await makeTree(dir, {
      'ctx/.dockerignore': 'secret\n',
      'ctx/secret': 's',
      'elsewhere/Containerfile': 'FROM scratch\n',
      'elsewhere/Containerfile.dockerignore': 'other\n',
    });
    const plain = await openBuildContext({
      source: { kind: 'dir', path: join(dir, 'ctx') },
      dockerfilePath: join(dir, 'elsewhere/Containerfile'),
    });
    assert.equal(plain.dockerfile.text, 'FROM scratch\n');
    assert.equal(plain.ignore.source, 'dockerfile');
    assert.deepEqual(plain.ignore.patterns, ['other']);
  });
});

test('Dockerfile is readable by the frontend even when ignored; missing Dockerfile is E_CONTEXT', async () => {
  await withTempDir(async (dir) => {
    await makeTree(dir, { Dockerfile: 'FROM a\n', '.dockerignore': 'Dockerfile\n' });
    const context = await openBuildContext({ source: { kind: 'dir', path: dir } });
    assert.equal(context.dockerfile.text, 'FROM a\n');
    assert.equal(context.isPresent('Dockerfile', false), false);
    await assert.rejects(
      openBuildContext({ source: { kind: 'dir', path: dir }, dockerfilePath: 'nope' }),
      code('E_CONTEXT'),
    );
    await assert.rejects(
      openBuildContext({ source: { kind: 'dir', path: dir }, dockerfilePath: '../Dockerfile' }),
      code('E_PATH_ESCAPE'),
    );
    await assert.rejects(
      openBuildContext({ source: { kind: 'dir', path: join(dir, 'missing') } }),
      code('E_CONTEXT'),
    );
  });
});

test('lower-case dockerfile is found when Dockerfile is absent', async () => {
  await withTempDir(async (dir) => {
    await makeTree(dir, { dockerfile: 'FROM b\n' });
    const context = await openBuildContext({ source: { kind: 'dir', path: dir } });
    assert.equal(context.dockerfile.name, 'dockerfile');
  });
});

test('stdin holding a Dockerfile: empty context', async () => {
  const context = await openBuildContext({
    source: { kind: 'stdin', stream: Readable.from([Buffer.from('FROM scratch\nCOPY x /\n')]) },
  });
  try {
    assert.equal(context.kind, 'empty');
    assert.equal(context.dockerfile.name, '<stdin>');
    assert.equal(context.dockerfile.text, 'FROM scratch\nCOPY x /\n');
    assert.deepEqual(await collect(walkContext(context)), []);
  } finally {
    await context.close();
  }
  assert.equal(existsSync(context.root), false, 'temp dir removed by close');
});

const CONTEXT_TAR: FixtureEntry[] = [
  { name: 'Dockerfile', body: 'FROM scratch\n' },
  { name: '.dockerignore', body: '**/*.tmp\n' },
  { name: 'app/', type: 'directory', mode: 0o750, mtime: 1_500_000_000 },
  { name: 'app/run.sh', body: 'echo hi\n', mode: 0o755, mtime: 1_600_000_123 },
  { name: 'app/cache.tmp', body: 'junk' },
  { name: 'app/link', type: 'symlink', linkname: '../../../etc/passwd' },
  { name: 'app/hard', type: 'hardlink', linkname: 'app/run.sh' },
];

async function checkTarContext(data: Buffer, kind: 'tar' | 'stdin'): Promise<void> {
  const context = await openBuildContext({ source: { kind, stream: Readable.from([data]) } });
  try {
    assert.equal(context.kind, 'tar');
    assert.equal(context.dockerfile.text, 'FROM scratch\n');
    const entries = await collect(walkContext(context));
    assert.deepEqual(
      entries.map((e) => e.path),
      ['.dockerignore', 'Dockerfile', 'app', 'app/hard', 'app/link', 'app/run.sh'],
    );
    const run = entries.find((e) => e.path === 'app/run.sh')!;
    assert.equal(run.mode, 0o755);
    assert.equal(Math.floor(run.mtime / 1000), 1_600_000_123);
    assert.equal(entries.find((e) => e.path === 'app')!.mode, 0o750);
    assert.equal(await readlink(join(context.root, 'app/link')), '../../../etc/passwd');
    assert.equal(
      (await stat(join(context.root, 'app/hard'))).ino,
      (await stat(join(context.root, 'app/run.sh'))).ino,
    );
    assert.equal((await stat(context.root)).mode & 0o777, 0o700);
  } finally {
    await context.close();
  }
}

test('tar context: plain tar via tar source and via stdin', async () => {
  const data = await buildTar(CONTEXT_TAR);
  await checkTarContext(data, 'tar');
  await checkTarContext(data, 'stdin');
});

test('tar context on stdin: gzip, bzip2, xz and zstd are detected by magic', async () => {
  const data = await buildTar(CONTEXT_TAR);
  await checkTarContext(gzipSync(data), 'stdin');
  for (const tool of ['bzip2', 'xz', 'zstd']) {
    const compressed = execFileSync(tool, ['-c', '-q'], { input: data });
    await checkTarContext(compressed, 'stdin');
  }
});

test('tar context: -f names a member; its .dockerignore beside it applies', async () => {
  const data = await buildTar([
    { name: 'docker/', type: 'directory' },
    { name: 'docker/prod.Dockerfile', body: 'FROM prod\n' },
    { name: 'docker/prod.Dockerfile.dockerignore', body: 'x\n' },
    { name: 'x', body: '1' },
  ]);
  const context = await openBuildContext({
    source: { kind: 'tar', stream: Readable.from([data]) },
    dockerfilePath: 'docker/prod.Dockerfile',
  });
  try {
    assert.equal(context.dockerfile.text, 'FROM prod\n');
    assert.equal(context.ignore.source, 'dockerfile');
    assert.equal(context.isPresent('x', false), false);
  } finally {
    await context.close();
  }
});

async function rejectsTar(data: Buffer, expected: string): Promise<void> {
  await withTempDir(async (temp) => {
    await assert.rejects(
      openBuildContext({
        source: { kind: 'tar', stream: Readable.from([data]) },
        tempDir: temp,
        limits: {
          maxDockerfileSize: 1024,
          tar: {
            maxEntries: 50,
            maxEntrySize: 4096,
            maxTotalSize: 64 * 1024,
            maxNameLength: 4096,
            maxExtensionSize: 4096,
          },
        },
      }),
      code(expected),
    );
    // nothing left behind, and nothing written outside the temp dir
    const { readdir } = await import('node:fs/promises');
    assert.deepEqual(await readdir(temp), []);
  });
}

test('hostile tar: ".." entry', async () => {
  await rejectsTar(await buildTar([{ name: '../evil', body: 'x' }]), 'E_UNSAFE_ARCHIVE');
  await rejectsTar(await buildTar([{ name: 'a/../../evil', body: 'x' }]), 'E_UNSAFE_ARCHIVE');
});

test('hostile tar: absolute entry name', async () => {
  await rejectsTar(await buildTar([{ name: '/tmp/evil', body: 'x' }]), 'E_UNSAFE_ARCHIVE');
});

test('hostile tar: write through a symlink created earlier', async () => {
  await rejectsTar(
    await buildTar([
      { name: 'link', type: 'symlink', linkname: '/tmp' },
      { name: 'link/evil', body: 'x' },
    ]),
    'E_UNSAFE_ARCHIVE',
  );
  await rejectsTar(
    await buildTar([
      { name: 'dir/', type: 'directory' },
      { name: 'dir/up', type: 'symlink', linkname: '../..' },
      { name: 'dir/up/evil', body: 'x' },
    ]),
    'E_UNSAFE_ARCHIVE',
  );
});

test('hostile tar: hard link to a path outside, to a symlink, or to a missing member', async () => {
  await rejectsTar(
    await buildTar([{ name: 'h', type: 'hardlink', linkname: '../../etc/passwd' }]),
    'E_UNSAFE_ARCHIVE',
  );
  await rejectsTar(
    await buildTar([{ name: 'h', type: 'hardlink', linkname: '/etc/passwd' }]),
    'E_UNSAFE_ARCHIVE',
  );
  await rejectsTar(
    await buildTar([
      { name: 's', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'h', type: 'hardlink', linkname: 's' },
    ]),
    'E_UNSAFE_ARCHIVE',
  );
  await rejectsTar(
    await buildTar([{ name: 'h', type: 'hardlink', linkname: 'nothing' }]),
    'E_UNSAFE_ARCHIVE',
  );
});

test('hostile tar: device nodes and FIFOs', async () => {
  await rejectsTar(
    await buildTar([{ name: 'null', type: 'char-device', devmajor: 1, devminor: 3 }]),
    'E_UNSAFE_ARCHIVE',
  );
  await rejectsTar(await buildTar([{ name: 'sda', type: 'block-device', devmajor: 8 }]), 'E_UNSAFE_ARCHIVE');
  await rejectsTar(await buildTar([{ name: 'fifo', type: 'fifo' }]), 'E_UNSAFE_ARCHIVE');
});

test('hostile tar: oversized entry, too many entries, decompression bomb', async () => {
  await rejectsTar(await buildTar([{ name: 'big', body: Buffer.alloc(8192) }]), 'E_TOO_LARGE');
  const many = Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, body: '' }));
  await rejectsTar(await buildTar(many), 'E_TOO_LARGE');
  const bomb = gzipSync(
    Buffer.concat([padded(rawBlock({ name: 'z', size: 200_000 })), Buffer.alloc(200_000)]),
  );
  await rejectsTar(bomb, 'E_TOO_LARGE');
});

test('hostile tar: file replacing a directory, truncated archive', async () => {
  await rejectsTar(
    await buildTar([
      { name: 'd/', type: 'directory' },
      { name: 'd/x', body: '1' },
      { name: 'd', body: 'now a file' },
    ]),
    'E_UNSAFE_ARCHIVE',
  );
  await rejectsTar(Buffer.concat([rawBlock({ name: 'f', size: 100 }), Buffer.alloc(10)]), 'E_UNSAFE_ARCHIVE');
});

test('tar context: a later entry replaces an earlier file; empty tar is an empty context with no Dockerfile', async () => {
  const data = await buildTar([
    { name: 'Dockerfile', body: 'FROM old\n' },
    { name: 'Dockerfile', body: 'FROM new\n' },
  ]);
  const context = await openBuildContext({ source: { kind: 'tar', stream: Readable.from([data]) } });
  try {
    assert.equal(context.dockerfile.text, 'FROM new\n');
    assert.equal((await lstat(join(context.root, 'Dockerfile'))).isFile(), true);
    assert.equal(await readFile(join(context.root, 'Dockerfile'), 'utf8'), 'FROM new\n');
  } finally {
    await context.close();
  }
  await assert.rejects(
    openBuildContext({ source: { kind: 'stdin', stream: Readable.from([END]) } }),
    code('E_CONTEXT'),
  );
});
