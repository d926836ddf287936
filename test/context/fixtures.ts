/** Helpers for context tests: real directory trees and tar streams built from a compact spec. */
import { chmod, mkdir, mkdtemp, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { removeTree } from '../../src/context/remove-tree.js';

/** `path: 'text'` a file, `path/: null` a directory, `path: {link: target}` a symlink, `{mode}` chmod. */
export type TreeSpec = Readonly<
  Record<string, string | null | { readonly link: string } | { readonly text: string; readonly mode: number }>
>;

export async function makeTree(root: string, spec: TreeSpec): Promise<void> {
  for (const [path, value] of Object.entries(spec)) {
    const target = join(root, path);
    if (value === null) {
      await mkdir(target, { recursive: true });
    } else if (typeof value === 'string') {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, value);
    } else if ('link' in value) {
      await mkdir(dirname(target), { recursive: true });
      await symlink(value.link, target);
    } else {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, value.text);
      await chmod(target, value.mode);
    }
  }
}

/** Runs `fn` with a fresh temporary directory that is removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-context-test-'));
  try {
    return await fn(dir);
  } finally {
    await removeTree(dir);
  }
}

/** Sets an mtime on a path. */
export async function touch(path: string, seconds: number): Promise<void> {
  await utimes(path, seconds, seconds);
}

/** Collects an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
