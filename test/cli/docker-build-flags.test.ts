/**
 * `kiln build` against docker's flag set, through the real CLI entry (in-process): refused flags fail
 * with E_USAGE naming the flag before anything is built; accepted no-ops do not change a --check run;
 * --help lists every option and names every refused flag.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/build.js';
import type { CliContext } from '../../src/cli/context.js';
import { ACCEPTED_DOCKER_FLAGS, REFUSED_DOCKER_FLAGS } from '../../src/cli/docker-build-flags.js';
import { DEFAULT_GC_GRACE_MS } from '../../src/store/gc.js';
import { storeCli } from './commands/store-cli-harness.js';

const cli = await storeCli();
writeFileSync(join(cli.root, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /\n');
after(() => cli.cleanup());
const kiln = cli.kiln;

function exampleArgs(spec: string): string[] {
  const name = /--[a-z-]+/.exec(spec)![0];
  return spec.includes('<') ? [name, 'x'] : [name];
}

describe('refused docker build flags', () => {
  for (const flag of REFUSED_DOCKER_FLAGS) {
    test(`${flag.name} fails with E_USAGE naming it`, async () => {
      const result = await kiln('build', ...exampleArgs(flag.spec), '.');
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`error: ${flag.name} is not supported by kiln build: .*\\[E_USAGE\\]`),
      );
    });
  }

  test('short forms -m and -c are refused too', async () => {
    assert.match((await kiln('build', '-m', '1g', '.')).stderr, /--memory is not supported/);
    assert.match((await kiln('build', '-c', '512', '.')).stderr, /--cpu-shares is not supported/);
  });

  test('attestations other than false, and --call other than build/check', async () => {
    for (const args of [['--provenance=1'], ['--provenance=mode=max'], ['--sbom=true']]) {
      const result = await kiln('build', ...args, '.');
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, /(--provenance|--sbom) is not supported by kiln build: attestations/);
    }
    const outline = await kiln('build', '--call=outline', '.');
    assert.equal(outline.code, 1);
    assert.match(outline.stderr, /--call=outline is not supported/);
  });

  test('--add-host host-gateway and index annotations are refused with E_USAGE', async () => {
    assert.match(
      (await kiln('build', '--add-host', 'gw:host-gateway', '.')).stderr,
      /host-gateway is not supported.*E_USAGE/,
    );
    assert.match(
      (await kiln('build', '--annotation', 'index:a=b', '.')).stderr,
      /annotation type "index".*E_USAGE/,
    );
  });
});

describe('accepted docker build flags', () => {
  test('no-op flags, --provenance=false, --sbom=false and --call=check leave a check run unchanged', async () => {
    const plain = await kiln('build', '--check', '.');
    assert.equal(plain.code, 0, plain.stderr);
    const noops = ACCEPTED_DOCKER_FLAGS.flatMap((f) => exampleArgs(f.spec));
    const withFlags = await kiln('build', ...noops, '--provenance=false', '--sbom=0', '--call=check', '.');
    assert.equal(withFlags.code, 0, withFlags.stderr);
    assert.equal(withFlags.stderr, plain.stderr);
    assert.match(plain.stderr, /check: 1 stage\(s\)/);
  });
});

describe('kiln build --help', () => {
  test('lists every visible option and names every refused flag', async () => {
    const help = await kiln('build', '--help');
    assert.equal(help.code, 0);
    const program = new Command('kiln');
    register(program, {} as CliContext);
    const build = program.commands.find((c) => c.name() === 'build')!;
    const refused = new Set(REFUSED_DOCKER_FLAGS.map((f) => f.spec));
    const visible = build.options.filter((o) => !refused.has(o.flags));
    assert.ok(visible.length >= 35, `only ${visible.length} options`);
    for (const option of visible) assert.ok(help.stdout.includes(option.flags), option.flags);
    for (const flag of REFUSED_DOCKER_FLAGS) assert.ok(help.stdout.includes(flag.name), flag.name);
  });

  test('kiln prune --help states the grace default the store uses (declared without loading the store)', async () => {
    const help = await kiln('prune', '--help');
    assert.match(help.stdout, new RegExp(`--grace <seconds> .*\\(default: ${DEFAULT_GC_GRACE_MS / 1000}\\)`));
  });

  test('kiln --help lists every command', async () => {
    const help = await kiln('--help');
    for (const name of [
      'build',
      'debug',
      'images',
      'inspect',
      'tag',
      'rmi',
      'prune',
      'pull',
      'push',
      'save',
      'load',
      'copy',
      'login',
      'logout',
    ]) {
      assert.match(help.stdout, new RegExp(`^  ${name}\\b`, 'm'), name);
    }
  });
});
