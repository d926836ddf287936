import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Header, pack } from 'tar-stream';
import { describeLeakLocation, scanForSecrets, secretLeakError } from '../../src/secrets/scan-for-secrets.js';

function chunked(data: Buffer, cuts: readonly number[]): () => Readable {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, data.length]) {
    parts.push(data.subarray(prev, p));
    prev = p;
  }
  return () => Readable.from(parts.filter((p) => p.length > 0));
}

type Encoding = 'raw' | 'hex' | 'hex-upper' | 'base64' | 'base64url';

function embed(secret: Buffer, encoding: Encoding, before: Buffer, after: Buffer): Buffer {
  switch (encoding) {
    case 'raw':
      return secret;
    case 'hex':
      return Buffer.from(secret.toString('hex'));
    case 'hex-upper':
      return Buffer.from(secret.toString('hex').toUpperCase());
    case 'base64':
      return Buffer.from(Buffer.concat([before, secret, after]).toString('base64'));
    case 'base64url':
      return Buffer.from(Buffer.concat([before, secret, after]).toString('base64url'));
  }
}

async function tarOf(entries: (readonly [Partial<Header> & { name: string }, Buffer?])[]): Promise<Buffer> {
  const p = pack();
  for (const [header, body] of entries) {
    if (body === undefined) p.entry(header);
    else p.entry(header, body);
  }
  p.finalize();
  const parts: Buffer[] = [];
  for await (const c of p) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('scanForSecrets', () => {
  it('never misses a random secret at a random offset in random data, in any encoding and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 4, maxLength: 300 }),
        fc.constantFrom<Encoding>('raw', 'hex', 'hex-upper', 'base64', 'base64url'),
        fc.uint8Array({ maxLength: 2000 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 5 }),
        fc.uint8Array({ maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (secretBytes, encoding, noise, at, before, after, cuts) => {
          const secret = Buffer.from(secretBytes);
          const offset = at % (noise.length + 1);
          const data = Buffer.concat([
            noise.subarray(0, offset),
            embed(secret, encoding, Buffer.from(before), Buffer.from(after)),
            noise.subarray(offset),
          ]);
          const leaks = await scanForSecrets({
            secrets: [{ id: 'tok', value: secret }],
            layers: [chunked(data, cuts)],
          });
          assert.ok(leaks.length > 0, `${encoding} ${secret.toString('hex')} not found`);
          assert.ok(leaks.every((l) => l.secretId === 'tok' && l.where.kind === 'layer'));
          if (encoding !== 'base64url') {
            // Where encodings coincide (hex of digits-only...), the first form listed is reported.
            const forms = new Set(leaks.map((l) => l.form));
            const expected = encoding === 'hex-upper' ? ['hex', 'hex-upper'] : [encoding];
            assert.ok(
              expected.some((f) => forms.has(f as never)) || forms.has('raw'),
              `${[...forms]} vs ${encoding}`,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds secrets in contents, names, link targets, PAX xattrs and long names, and says where', async () => {
    const secret = Buffer.from('s3cr3t-T0ken-value');
    const long = `dir/${'x'.repeat(120)}/after`;
    const tar = await tarOf([
      [{ name: 'etc/clean.txt', type: 'file' }, Buffer.from('nothing to see')],
      [{ name: 'etc/token', type: 'file' }, Buffer.from(`token=${secret}\n`)],
      [{ name: `etc/named-${secret}`, type: 'file' }, Buffer.from('x')],
      [{ name: 'etc/link', type: 'symlink', linkname: `/x/${secret}` }],
      [{ name: 'etc/attr', type: 'file', pax: { 'SCHILY.xattr.user.k': `v${secret}` } }, Buffer.from('y')],
      [{ name: `${long}/${secret.toString('hex')}`, type: 'file' }, Buffer.from('z')],
      [
        { name: 'etc/b64', type: 'file' },
        Buffer.from(`key: ${Buffer.from(`xx${secret}`).toString('base64')}`),
      ],
    ]);
    const leaks = await scanForSecrets({
      secrets: [{ id: 'tok', value: secret }],
      layers: [chunked(tar, [7, 513, 1500])],
    });
    const got = leaks.map((l) => `${l.form} ${describeLeakLocation(l.where)}`).sort();
    assert.deepEqual(got, [
      'base64 layer 0: etc/b64 (content)',
      `hex layer 0: ${long}/${secret.toString('hex')} (metadata)`,
      'raw layer 0: etc/attr (metadata)',
      'raw layer 0: etc/link (metadata)',
      `raw layer 0: etc/named-${secret} (metadata)`,
      'raw layer 0: etc/token (content)',
    ]);
  });

  it('finds a name split across the ustar prefix and name fields', async () => {
    const secret = 'ABCDEFGHIJKLMNOP';
    // 150 chars of prefix + 8: tar-stream splits at a slash into prefix/name without PAX.
    const prefix = `${'p'.repeat(140)}ABCDEFGH`;
    const tar = await tarOf([[{ name: `${prefix}/IJKLMNOP.txt`, type: 'file' }, Buffer.from('q')]]);
    assert.ok(!tar.includes(Buffer.from(`${secret}`)), 'fixture: not contiguous in raw bytes');
    const leaks = await scanForSecrets({
      secrets: [{ id: 'x', value: Buffer.from('ABCDEFGH/IJKLMNOP') }],
      layers: [chunked(tar, [])],
    });
    assert.equal(leaks.length, 1);
    assert.equal(leaks[0]!.where.kind, 'layer');
  });

  it('attributes GNU tar long names (././@LongLink) and long link targets to their member', async () => {
    const secret = 'gnu-Long-Secret-Value';
    const dir = mkdtempSync(join(tmpdir(), 'kiln-gnutar-'));
    try {
      const deep = join(dir, 'a'.repeat(90), 'b'.repeat(40));
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(deep, `${secret}.txt`), 'clean');
      symlinkSync(`/${'t'.repeat(120)}/${secret}`, join(dir, 'link'));
      writeFileSync(join(dir, 'plain'), `x${secret}y`);
      const tar = execFileSync('tar', ['--format=gnu', '-C', dir, '-cf', '-', '.']);
      const leaks = await scanForSecrets({
        secrets: [{ id: 'g', value: Buffer.from(secret) }],
        layers: [chunked(tar, [100, 600, 1100])],
      });
      const got = leaks.map((l) => describeLeakLocation(l.where)).sort();
      assert.deepEqual(got, [
        `layer 0: ./${'a'.repeat(90)}/${'b'.repeat(40)}/${secret}.txt (metadata)`,
        'layer 0: ./link (metadata)',
        'layer 0: ./plain (content)',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scans config (raw and JSON-decoded) and history entries; clean inputs give no leaks', async () => {
    const secret = Buffer.from('hunter2<&>"x');
    const config = Buffer.from(JSON.stringify({ config: { Env: [`A=${secret}`] } }).replace(/</g, '\\u003c'));
    const history = [
      { created_by: 'RUN echo hi' },
      { created_by: `RUN echo ${Buffer.from(secret).toString('base64')}` },
    ];
    const leaks = await scanForSecrets({ secrets: [secret], layers: [], config, history });
    assert.deepEqual(leaks.map((l) => `${l.secretId} ${describeLeakLocation(l.where)}`).sort(), [
      '#0 config (config.Env[0])',
      '#0 history[1]',
    ]);
    const clean = await scanForSecrets({
      secrets: [secret],
      layers: [chunked(Buffer.from('just some bytes'), [])],
      config: Buffer.from('{"config":{}}'),
      history: [{ created_by: 'RUN --mount=type=secret,id=x cat /run/secrets/x' }],
    });
    assert.deepEqual(clean, []);
  });

  it('finds secrets larger than the automaton anchor, split over many chunks', async () => {
    const secret = Buffer.alloc(5000);
    for (let i = 0; i < secret.length; i++) secret[i] = (i * 7919) % 251;
    const data = Buffer.concat([
      Buffer.alloc(10_000, 1),
      secret.subarray(0, 4999),
      Buffer.from([9]),
      Buffer.alloc(3, 2),
      secret,
    ]);
    const cuts = Array.from({ length: 60 }, (_, i) => i * 331);
    const leaks = await scanForSecrets({ secrets: [secret], layers: [chunked(data, cuts)] });
    assert.deepEqual(
      leaks.map((l) => l.form),
      ['raw'],
    );
  });

  it('secretLeakError never contains the secret', async () => {
    const leaks = await scanForSecrets({
      secrets: [Buffer.from('topsecret')],
      layers: [chunked(Buffer.from('a topsecret b'), [])],
    });
    const error = secretLeakError(leaks);
    assert.equal(error.code, 'E_SECRET_LEAK');
    assert.ok(!error.message.includes('topsecret'));
    assert.match(error.message, /secret #0 \(raw\) in layer 0/);
  });
});
