/**
 * One differential test run's shared state: a scratch directory, the base image (oci-archive and its
 * normalised tree), one buildah storage and one kiln store shared by all cases (the base is loaded
 * once). Both builders run as the unprivileged test user; each case is built into its own output.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBaseArchive } from './base-image.js';
import { type Buildah, buildahBuild, openBuildah, testUserDir } from './buildah-builder.js';
import { type CorpusCase, copyContext } from './corpus.js';
import { chownToTestUser, type KilnHome, kilnBuild, makeKilnHome } from './kiln-builder.js';
import { type NormalisedImage, normaliseImage } from './normalise.js';
import type { TreeEntry } from './tree-walk.js';

/** A started session; `close()` removes everything. */
export interface Session {
  readonly baseTree: readonly TreeEntry[];
  /** `buildah --version` output. */
  buildahVersion(): string;
  /** Builds the case with buildah and normalises the result. */
  buildah(corpusCase: CorpusCase): Promise<NormalisedImage>;
  /** Builds the case with kiln and normalises the result. */
  kiln(corpusCase: CorpusCase): Promise<NormalisedImage>;
  close(): Promise<void>;
}

/** Copies the case's context to `<parent>/<case>`, owned by the test user. */
async function stageContext(corpusCase: CorpusCase, parent: string): Promise<string> {
  await testUserDir(parent);
  const context = join(parent, corpusCase.name);
  await copyContext(corpusCase, context);
  await chownToTestUser(context);
  return context;
}

/** Starts a session; buildah and kiln are set up lazily on first use. */
export async function openSession(): Promise<Session> {
  const scratch = await mkdtemp(join(tmpdir(), 'kiln-diff-'));
  await chmod(scratch, 0o755); // both builders run as the test user below it
  const baseArchive = join(scratch, 'base.tar');
  await writeBaseArchive(scratch, baseArchive);
  await chmod(baseArchive, 0o644);
  const baseTree = (await normaliseImage({ path: baseArchive })).tree;
  let buildah: Promise<Buildah> | undefined;
  let kilnHome: Promise<KilnHome> | undefined;
  return {
    baseTree,
    buildahVersion: () => execFileSync('buildah', ['--version'], { encoding: 'utf8' }).trim(),
    async buildah(corpusCase) {
      buildah ??= openBuildah(join(scratch, 'buildah'), baseArchive);
      const context = await stageContext(corpusCase, join(scratch, 'buildah-ctx'));
      const out = join(scratch, 'buildah-out');
      await testUserDir(out);
      const layout = join(out, corpusCase.name);
      await buildahBuild(await buildah, { context, tag: corpusCase.name, layout });
      return normaliseImage({ path: layout, ref: corpusCase.name });
    },
    async kiln(corpusCase) {
      kilnHome ??= makeKilnHome(join(scratch, 'kiln'));
      const home = await kilnHome;
      const context = await stageContext(corpusCase, join(home.home, 'ctx'));
      const out = join(home.home, 'out');
      await testUserDir(out);
      const archive = join(out, `${corpusCase.name}.tar`);
      await kilnBuild(home, { context, tag: corpusCase.name, archive });
      return normaliseImage({ path: archive });
    },
    async close() {
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
