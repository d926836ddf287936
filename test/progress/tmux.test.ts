/**
 * Runs the progress demo in a real terminal (tmux) and checks the screen a person would see: the live view
 * redraws in place (one header, no stale frames in the scrollback) and ends with the build's summary.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../helpers/paths.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The demo beside this file, run the way this file runs (TypeScript through tsx, or compiled). */
function demoCommand(args: readonly string[]): string {
  const self = fileURLToPath(import.meta.url);
  const demo = self.replace(/tmux\.test\.(ts|js)$/, 'progress-demo.$1');
  const loader = demo.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return [process.execPath, ...loader, demo, ...args].map(shellQuote).join(' ');
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

test('tmux: the live view redraws in place and leaves the summary on screen', {
  skip: !hasTmux,
  timeout: 60_000,
}, async () => {
  const socket = `kiln-progress-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { cwd: repoRoot(), encoding: 'utf8' });
  const command = `${demoCommand(['--mode', 'auto', '--speed', '2'])}; echo DEMO-EXIT=$?; sleep 60`;
  tmux('new-session', '-d', '-s', 'demo', '-x', '100', '-y', '40', command);
  try {
    let pane = '';
    let sawLiveOutput = false;
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      pane = tmux('capture-pane', '-p', '-S', '-', '-t', 'demo');
      if (pane.includes(' => => # ')) sawLiveOutput = true;
      if (pane.includes('DEMO-EXIT=')) break;
      await sleep(50);
    }
    assert.match(pane, /DEMO-EXIT=0/, pane);
    assert.ok(sawLiveOutput, 'a running step showed its output lines while it ran');
    const lines = pane.split('\n').map((l) => l.trimEnd());
    // One header in the whole scrollback: every frame overwrote the previous one.
    assert.deepEqual(
      lines.filter((l) => l.startsWith('[+] Building')),
      ['[+] Building 4.6s (9/9) FINISHED'],
      pane,
    );
    const first = lines.indexOf('[+] Building 4.6s (9/9) FINISHED');
    assert.match(lines[first + 1] ?? '', /^ => \[internal\] load build definition from Dockerfile +0\.0s$/);
    assert.match(
      lines[first + 4] ?? '',
      /^ => CACHED \[build 1\/4\] FROM docker\.io\/library\/alpine:3\.20 +0\.0s$/,
    );
    assert.equal((lines[first + 9] ?? '').length, 99, 'the timer column is right-aligned to the pane width');
    assert.ok(!pane.includes(' => => # '), 'finished steps are collapsed');
    assert.ok(
      lines.includes('image sha256:5d3c0f2b2e8a1f6a9c7e4b1d0a3f6e9c2b5a8d1e4f7a0b3c6d9e2f5a8b1c4d7e'),
    );
    assert.ok(lines.includes('tagged example.com/app:1.0'));
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  }
});
