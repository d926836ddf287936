/**
 * Device nodes and FIFOs: Node has no mknod(2), so the coreutils `mknod` / `mkfifo` tools create them
 * (rare in layers, so one process each is fine).
 */
import { execFile } from 'node:child_process';

export type SpecialNode =
  | { readonly kind: 'fifo' }
  | { readonly kind: 'char-device' | 'block-device'; readonly major: number; readonly minor: number };

/** Outcome of trying to create one node. */
export type SpecialNodeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

function run(tool: string, args: readonly string[]): Promise<SpecialNodeResult> {
  return new Promise((resolve) => {
    execFile(tool, args, (error, _stdout, stderr) => {
      if (error === null) resolve({ ok: true });
      else resolve({ ok: false, reason: (stderr || error.message).trim() });
    });
  });
}

/** Creates the node with mode 0600 (the apply sets the real mode later). */
export function createSpecialNode(path: string, node: SpecialNode): Promise<SpecialNodeResult> {
  if (node.kind === 'fifo') return run('mkfifo', ['-m', '600', '--', path]);
  const letter = node.kind === 'char-device' ? 'c' : 'b';
  return run('mknod', ['-m', '600', '--', path, letter, String(node.major), String(node.minor)]);
}
