/**
 * The differential corpus (see README.md in this folder). Each case is built by kiln and by buildah, both
 * rootless as the unprivileged test user, at the same time; both images are normalised (config fields
 * a Dockerfile decides, file tree without timestamps). Then, per case:
 *   1. kiln's image satisfies the case's assertions taken from the Dockerfile reference (expected.json);
 *   2. buildah's image satisfies them too once the documented deviations (deviations.ts) are taken out,
 *      and every deviation documented for the case still happens;
 *   3. kiln's image equals buildah's, whole tree and config, minus the documented deviations;
 *   4. buildah's image equals its recorded result (buildah.json) when the recorded buildah version is
 *      the installed one. Without buildah, 3 runs against the recorded result.
 * `KILN_DIFF_RECORD=1` re-records buildah.json (check the diff before committing it); `KILN_DIFF_BUILDAH=0`
 * compares with the recorded results without running buildah.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildahUnavailable } from './buildah-builder.js';
import { checkExpected } from './check-expected.js';
import { compareImages } from './compare.js';
import { type CorpusCase, loadCorpus } from './corpus.js';
import {
  BUILDAH_DEVIATIONS,
  buildahUnsupported,
  correctBuildah,
  type Deviation,
  deviationsFor,
  dropUnspecified,
  excusedConfigFields,
  wrongPaths,
} from './deviations.js';
import { kilnUnavailable } from './kiln-builder.js';
import { knownKilnBug } from './known-kiln-bugs.js';
import type { NormalisedImage } from './normalise.js';
import { fromRecorded, readRecorded, toRecorded, writeRecorded } from './recorded.js';
import { openSession, type Session } from './session.js';

const skip = kilnUnavailable() ?? false;
// KILN_DIFF_BUILDAH=0 runs the kiln side against the recorded buildah results only.
const noBuildah = process.env.KILN_DIFF_BUILDAH === '0' ? 'KILN_DIFF_BUILDAH=0' : buildahUnavailable();
const record = process.env.KILN_DIFF_RECORD === '1';
const corpus = await loadCorpus();
let session: Session | undefined;
/** Ids of global deviations (extra paths / labels) seen in at least one case. */
const observed = new Set<string>();

before(async () => {
  if (skip === false) session = await openSession();
});
after(async () => {
  await session?.close();
});

function noteObserved(image: NormalisedImage): void {
  const paths = new Set(image.tree.map((e) => e.path));
  for (const d of BUILDAH_DEVIATIONS) {
    if (d.effect.kind === 'extra-paths' && d.effect.paths.some((p) => paths.has(p))) observed.add(d.id);
    if (
      d.effect.kind === 'extra-labels' &&
      d.effect.labels.some((l) => image.config.Labels?.[l] !== undefined)
    ) {
      observed.add(d.id);
    }
  }
}

type Outcome = { readonly image: NormalisedImage } | { readonly error: Error };

async function buildahOutcome(s: Session, corpusCase: CorpusCase): Promise<Outcome | undefined> {
  if (noBuildah !== undefined) return undefined;
  return s.buildah(corpusCase).then(
    (image) => ({ image }),
    (error: Error) => ({ error }),
  );
}

/** buildah's image against the reference, corrected by the case's deviations, which must still show. */
function checkBuildahAgainstReference(
  corpusCase: CorpusCase,
  image: NormalisedImage,
  deviations: Deviation[],
): void {
  const expected = corpusCase.expected;
  if (expected === undefined) return;
  const excused = { configFields: excusedConfigFields(deviations), paths: wrongPaths(deviations) };
  const corrected = correctBuildah(image, deviations);
  assert.deepEqual(checkExpected(corrected, expected, excused), [], 'buildah minus documented deviations');
  const raw = checkExpected(image, expected);
  for (const field of excused.configFields) {
    assert.ok(
      raw.some((m) => m.startsWith(`config.${field}:`)),
      `deviation on config.${field} no longer happens`,
    );
  }
  for (const path of excused.paths) {
    assert.ok(
      raw.some((m) => m.startsWith(`${path}:`)),
      `deviation on ${path} no longer happens`,
    );
  }
}

for (const corpusCase of corpus) {
  test(`differential: ${corpusCase.name}`, { skip, timeout: 600_000 }, async (t) => {
    const s = session!;
    const deviations = deviationsFor(corpusCase.name);
    const unsupported = buildahUnsupported(deviations);
    const bug = knownKilnBug(corpusCase.name);
    const kilnOptions = bug === undefined ? {} : { todo: `known kiln bug ${bug.id}: ${bug.reason}` };
    const [kiln, buildah] = await Promise.all([s.kiln(corpusCase), buildahOutcome(s, corpusCase)]);

    if (corpusCase.expected !== undefined) {
      await t.test('kiln matches the Dockerfile reference', kilnOptions, () => {
        assert.deepEqual(
          checkExpected(kiln, corpusCase.expected!),
          [],
          'kiln against the Dockerfile reference',
        );
      });
    }

    if (buildah !== undefined) {
      await t.test('buildah matches the reference minus documented deviations', () => {
        if (unsupported !== undefined) {
          assert.ok(
            'error' in buildah,
            `deviation ${unsupported.id} no longer happens: buildah built the case`,
          );
          return;
        }
        if ('error' in buildah) throw buildah.error;
        noteObserved(buildah.image);
        checkBuildahAgainstReference(corpusCase, buildah.image, deviations);
      });
    }
    if (unsupported !== undefined) return;

    const live = buildah !== undefined && 'image' in buildah ? buildah.image : undefined;
    const stored = await readRecorded(corpusCase);
    if (live !== undefined && record)
      await writeRecorded(corpusCase, toRecorded(s.buildahVersion(), s.baseTree, live));
    else if (live !== undefined && stored?.buildah === s.buildahVersion()) {
      await t.test('buildah equals its recorded result (buildah.json)', () => {
        assert.deepEqual(
          compareImages(live, fromRecorded(s.baseTree, stored), { names: ['live', 'recorded'] }),
          [],
          'buildah result differs from buildah.json (re-record with KILN_DIFF_RECORD=1 if intended)',
        );
      });
    }

    await t.test('kiln equals buildah minus documented deviations', kilnOptions, (st) => {
      let reference = live;
      if (reference === undefined) {
        assert.ok(
          stored !== undefined,
          `no buildah.json for ${corpusCase.name} and buildah cannot run: ${noBuildah}`,
        );
        reference = fromRecorded(s.baseTree, stored);
        st.diagnostic(`compared with the recorded result of ${stored.buildah}`);
      }
      assert.deepEqual(
        compareImages(dropUnspecified(kiln, deviations), correctBuildah(reference, deviations), {
          names: ['kiln', 'buildah'],
          ignoreConfigFields: excusedConfigFields(deviations),
        }),
        [],
        'kiln against buildah minus documented deviations',
      );
    });
  });
}

test('differential: every global buildah deviation is seen in some case', {
  skip: skip || noBuildah || false,
}, () => {
  const global = BUILDAH_DEVIATIONS.filter(
    (d) => d.cases === 'all' && (d.effect.kind === 'extra-paths' || d.effect.kind === 'extra-labels'),
  );
  assert.deepEqual(
    global.filter((d) => !observed.has(d.id)).map((d) => d.id),
    [],
    'documented deviations that no case shows any more',
  );
});
