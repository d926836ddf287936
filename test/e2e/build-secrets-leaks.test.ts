/**
 * End-to-end, as the unprivileged test user through the real CLI: an adversarial suite that tries to
 * leak a `--secret` into the image — copied into a layer, written to a file outside the mount, encoded
 * (base64, hex), used as a file name, set as ENV / LABEL through a build arg, exported with
 * `--output type=local` — and checks that each attempt fails the build with E_SECRET_LEAK naming the
 * step (its Dockerfile line), that nothing is tagged or exported, and that a cached rebuild of a
 * leaking Dockerfile is caught as well. A clean build passes, and GNU tar + grep over every extracted
 * layer and the config find the secret in none of its forms.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { type CliResult, canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';

const run = promisify(execFile);
const skip = canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)';
const SECRET = `s3cr3t-${Math.random().toString(36).slice(2, 10)}-do-not-ship`;

interface Fixture {
  readonly home: string;
  readonly root: string;
  readonly secretFile: string;
}

let fixture: Fixture | undefined;

before(async () => {
  if (skip !== false) return;
  const home = await mkdtemp(join(tmpdir(), 'kiln-e2e-leaks-'));
  await chmod(home, 0o755);
  const root = join(home, 'kiln');
  await writeBusyboxImage(await openStore({ root, env: {} }), 'busybox:latest');
  const secretFile = join(home, 'secret.txt');
  await writeFile(secretFile, `${SECRET}\n`, { mode: 0o600 });
  await run('chown', ['-R', TEST_USER, home]);
  fixture = { home, root, secretFile };
});

after(async () => {
  if (fixture !== undefined) await rm(fixture.home, { recursive: true, force: true });
});

function need(): Fixture {
  assert.ok(fixture, 'fixture not set up');
  return fixture;
}

let contexts = 0;

/** Builds `dockerfile` (with copies of `files` in the context) as the test user with the secret `tok`. */
async function build(
  dockerfile: string,
  extra: readonly string[] = [],
  files: Readonly<Record<string, string>> = {},
): Promise<CliResult> {
  const { home, root, secretFile } = need();
  const ctx = join(home, `ctx-${contexts++}`);
  await mkdir(ctx);
  await writeFile(join(ctx, 'Dockerfile'), dockerfile);
  for (const [name, from] of Object.entries(files)) await copyFile(from, join(ctx, name));
  await run('chown', ['-R', TEST_USER, ctx]);
  return rebuild(ctx, extra, { root, home, secretFile });
}

function rebuild(
  ctx: string,
  extra: readonly string[],
  where: { readonly root: string; readonly home: string; readonly secretFile: string },
): Promise<CliResult> {
  return runKiln(
    [
      '--root',
      where.root,
      'build',
      '--progress',
      'plain',
      '--secret',
      `id=tok,src=${where.secretFile}`,
      ...extra,
      ctx,
    ],
    { user: TEST_USER, env: { HOME: where.home }, cwd: where.home },
  );
}

/** Asserts a failed build with E_SECRET_LEAK pointing at Dockerfile line `line`, and no secret in the output. */
function assertCaught(result: CliResult, line: number, what: RegExp): void {
  assert.equal(result.code, 1, `expected the build to fail:\n${result.stderr}`);
  assert.match(result.stderr, /\[E_SECRET_LEAK\]/);
  assert.match(result.stderr, new RegExp(`--> .*Dockerfile:${line}:1`), result.stderr);
  assert.match(result.stderr, what, result.stderr);
  assert.ok(
    !result.stderr.includes(SECRET) && !result.stdout.includes(SECRET),
    'the secret is in the output',
  );
}

async function tagged(ref: string): Promise<boolean> {
  const { root, home } = need();
  const r = await runKiln(['--root', root, 'inspect', ref], { user: TEST_USER, env: { HOME: home } });
  return r.code === 0;
}

const CASES: readonly {
  readonly name: string;
  readonly dockerfile: string;
  readonly args?: readonly string[];
  readonly line: number;
  readonly what: RegExp;
}[] = [
  {
    name: 'copied into the layer',
    dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=tok cp /run/secrets/tok /token\n',
    line: 2,
    what: /secret tok \(raw\) in layer \d+: token \(content\), written by step \[2\/2\] RUN/,
  },
  {
    name: 'a file outside the mount',
    dockerfile:
      'FROM busybox\nRUN mkdir -p /etc/app\nRUN --mount=type=secret,id=tok echo "password=$(cat /run/secrets/tok)" >> /etc/app/app.conf\n',
    line: 3,
    what: /etc\/app\/app\.conf \(content\)/,
  },
  {
    name: 'base64-encoded',
    dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=tok base64 /run/secrets/tok > /token.b64\n',
    line: 2,
    what: /\(base64\) in layer \d+: token\.b64/,
  },
  {
    name: 'hex-encoded from the env form',
    dockerfile:
      'FROM busybox\nRUN --mount=type=secret,id=tok,env=T printf %s "$T" | od -A n -t x1 | tr -d " \\n" > /token.hex\n',
    line: 2,
    what: /\(hex\) in layer \d+: token\.hex/,
  },
  {
    name: 'a file name',
    dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=tok touch "/tmp/$(cat /run/secrets/tok)"\n',
    line: 2,
    what: /\(metadata\)/,
  },
  {
    name: 'ENV in a later step, through a build arg',
    dockerfile:
      'FROM busybox\nRUN --mount=type=secret,id=tok echo $(cat /run/secrets/tok | wc -c) > /len\nARG LEAKED\nENV API_TOKEN=$LEAKED\n',
    args: ['--build-arg', `LEAKED=${SECRET}`],
    // The value enters at the ARG (its history entry records it), then the ENV.
    line: 3,
    what: /config \(config\.Env\[\d+\]\)[\s\S]*written by step ENV API_TOKEN=\*\*\*\* \(.*Dockerfile:4\)/,
  },
  {
    name: 'LABEL from a build arg',
    dockerfile: 'FROM busybox\nARG V\nLABEL org.example.token=$V\n',
    args: ['--build-arg', `V=${SECRET}`],
    line: 2,
    what: /config \(config\.Labels\["org\.example\.token"\]\)[\s\S]*written by step LABEL org\.example\.token=\*\*\*\*/,
  },
];

test('adversarial: every attempt to leak a --secret fails the build and names the step', {
  skip,
  timeout: 300_000,
}, async (t) => {
  for (const c of CASES) {
    await t.test(c.name, async () => {
      const ref = `leak-${CASES.indexOf(c)}:1`;
      const result = await build(c.dockerfile, [...(c.args ?? []), '-t', ref]);
      assertCaught(result, c.line, c.what);
      assert.equal(await tagged(ref), false, 'a leaking image was tagged');
    });
  }
});

test('adversarial: COPY then rm of a key file given to --ssh is caught at the COPY', {
  skip,
  timeout: 120_000,
}, async () => {
  const { home } = need();
  const key = join(home, 'deploy_key');
  await writeFile(
    key,
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from(SECRET).toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`,
  );
  await run('chown', [TEST_USER, key]);
  const result = await build(
    'FROM busybox\nCOPY deploy_key /root/.ssh/id_ed25519\nRUN rm /root/.ssh/id_ed25519\n',
    ['--ssh', `default=${key}`],
    { deploy_key: key },
  );
  assertCaught(
    result,
    2,
    /secret ssh key default \(raw\) in layer \d+: root\/\.ssh\/id_ed25519 \(content\), written by step \[2\/3\] COPY/,
  );
});

test('adversarial: the SecretsUsedInArgOrEnv warning points to --secret', {
  skip,
  timeout: 120_000,
}, async () => {
  const result = await build('FROM busybox\nARG DB_PASSWORD\nRUN true\n', ['--build-arg', 'DB_PASSWORD=x']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /warning: Do not use ARG or ENV instructions for sensitive data \(ARG "DB_PASSWORD"\)/,
  );
  assert.match(result.stderr, /hint: .*--secret id=NAME/);
});

test('adversarial: a leak through --output type=local writes nothing, and a cached rebuild is caught too', {
  skip,
  timeout: 300_000,
}, async () => {
  const { home, root, secretFile } = need();
  const dest = join(home, 'exported');
  const dockerfile =
    'FROM busybox AS build\nRUN --mount=type=secret,id=tok cp /run/secrets/tok /artifact\nFROM scratch\nCOPY --from=build /artifact /\n';
  const first = await build(dockerfile, ['--output', `type=local,dest=${dest}`]);
  assertCaught(first, 4, /artifact \(content\), written by step \[stage-1 1\/1\] COPY/);
  await assert.rejects(stat(dest), 'the local output was written');

  // The same Dockerfile again: the steps that read the secret run again (their cache records were
  // forgotten), and the scan fails the build again.
  const again = await rebuild(join(home, `ctx-${contexts - 1}`), ['--output', `type=local,dest=${dest}`], {
    root,
    home,
    secretFile,
  });
  assertCaught(again, 4, /artifact \(content\)/);
  assert.doesNotMatch(again.stderr, /#(\d+) \[build 2\/2\] RUN.*\n#\1 CACHED/);
  await assert.rejects(stat(dest), 'the local output was written');
});

test('a clean build with the secret passes; no extracted layer nor the config holds it in any form', {
  skip,
  timeout: 300_000,
}, async () => {
  const { home, root } = need();
  const dest = join(home, 'clean-out');
  const result = await build(
    [
      'FROM busybox',
      'RUN --mount=type=secret,id=tok,target=/etc/tok,mode=0400 test -s /etc/tok && sha256sum /etc/tok | cut -c1-8 > /digest-prefix',
      'RUN --mount=type=secret,id=tok,env=TOKEN test -n "$TOKEN" && echo ok > /ok',
      '',
    ].join('\n'),
    ['-t', 'clean:1', '--output', `type=local,dest=${dest}`],
  );
  assert.equal(result.code, 0, result.stderr);
  const inspected = await runKiln(['--root', root, 'inspect', 'clean:1'], {
    user: TEST_USER,
    env: { HOME: home },
  });
  const [image] = JSON.parse(inspected.stdout) as { Id: string; Layers: { digest: string }[] }[];
  // The image's own blobs (earlier tests of this file left leaked layers in the store until a prune).
  const blob = (digest: string) => join(root, 'store', 'blobs', 'sha256', digest.slice('sha256:'.length));
  const blobs = [image!.Id, ...image!.Layers.map((l) => l.digest)].map(blob);
  const extracted = await mkdtemp(join(tmpdir(), 'kiln-e2e-clean-'));
  try {
    for (const [i, layer] of image!.Layers.entries()) {
      await mkdir(join(extracted, String(i)));
      await run('tar', ['-xf', blob(layer.digest), '-C', join(extracted, String(i)), '--no-same-owner']);
    }
    // The mount target made for the secret left no trace.
    await assert.rejects(stat(join(extracted, String(image!.Layers.length - 2), 'etc', 'tok')));
    const forms = [
      SECRET,
      Buffer.from(SECRET).toString('base64').slice(0, 16),
      Buffer.from(SECRET).toString('hex'),
    ];
    for (const form of forms) {
      const grep = await run('grep', ['-r', '-a', '-l', '-F', '--', form, extracted, dest, ...blobs]).then(
        (r) => r.stdout,
        (e: { code?: number; stdout?: string }) => (e.code === 1 ? '' : String(e.stdout)),
      );
      assert.equal(grep, '', `found ${form} in ${grep}`);
    }
  } finally {
    await rm(extracted, { recursive: true, force: true });
  }
});
