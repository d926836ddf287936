import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { pack } from 'tar-stream';
import { createBuildSecrets } from '../../src/build/build-secrets.js';
import { KilnError } from '../../src/errors.js';

function tarOf(files: Readonly<Record<string, string>>): Readable {
  const p = pack();
  for (const [name, text] of Object.entries(files)) p.entry({ name }, text);
  p.finalize();
  return Readable.from(p);
}

describe('createBuildSecrets leak checks', () => {
  it('reads every given secret (even unused) and finds it in an exported filesystem and in documents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiln-build-secrets-'));
    const secrets = createBuildSecrets({
      sources: [
        { kind: 'file', id: 'file_tok', path: join(dir, 'tok') },
        { kind: 'env', id: 'env_tok', variable: 'TOK' },
        { kind: 'file', id: 'unreadable', path: join(dir, 'missing') },
      ],
      ssh: [],
      env: { TOK: 'env-secret-value' },
      fallbackParent: dir,
    });
    try {
      await writeFile(join(dir, 'tok'), 'file-secret-value\n');
      assert.equal(secrets.hasSecrets, true);
      await secrets.checkExport(async () => tarOf({ 'etc/ok': 'nothing here' }));
      await assert.rejects(
        secrets.checkExport(async () => tarOf({ 'etc/ok': 'x', 'app/config': 'token=file-secret-value' })),
        (e: unknown) =>
          e instanceof KilnError &&
          e.code === 'E_SECRET_LEAK' &&
          /secret file_tok \(raw\) in exported filesystem: app\/config \(content\)/.test(e.message) &&
          !e.message.includes('file-secret-value'),
      );
      await secrets.checkDocument('the metadata file', Buffer.from('{"image.name":"x"}'));
      await assert.rejects(
        secrets.checkDocument(
          'the metadata file',
          Buffer.from(Buffer.from('env-secret-value').toString('hex')),
        ),
        /secret env_tok \(hex\) in the metadata file/,
      );
    } finally {
      await secrets.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does nothing without secrets', async () => {
    const secrets = createBuildSecrets({ sources: [], ssh: [], env: {}, fallbackParent: tmpdir() });
    assert.equal(secrets.hasSecrets, false);
    await secrets.checkExport(async () => tarOf({ a: 'anything' }));
    await secrets.close();
  });
});
