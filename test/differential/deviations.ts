/**
 * Known places where buildah's result deviates from the Dockerfile reference (BuildKit), as data:
 * which cases, what effect, why. docs/differences-from-buildah.md explains each id in prose. The test fails when a
 * case-scoped deviation stops occurring, so this list stays true.
 */
import type { CanonicalConfig } from './image-config.js';
import type { NormalisedImage } from './normalise.js';

/** What a deviation does to buildah's image. */
export type DeviationEffect =
  /** buildah leaves these paths behind (the reference build has none of them). */
  | { readonly kind: 'extra-paths'; readonly paths: readonly string[] }
  /** The reference does not pin these paths down; both sides drop them before comparing. */
  | { readonly kind: 'unspecified-paths'; readonly paths: readonly string[] }
  /** buildah adds these labels. */
  | { readonly kind: 'extra-labels'; readonly labels: readonly string[] }
  /** buildah's value of these config fields differs from the reference. */
  | { readonly kind: 'config-fields'; readonly fields: readonly (keyof CanonicalConfig)[] }
  /** buildah's entries for these paths differ from the reference; not compared, not checked for buildah. */
  | { readonly kind: 'wrong-paths'; readonly paths: readonly string[] }
  /** buildah cannot build the case at all. */
  | { readonly kind: 'unsupported' };

/** One documented deviation. */
export interface Deviation {
  readonly id: string;
  /** Case names, or 'all'. */
  readonly cases: 'all' | readonly string[];
  readonly effect: DeviationEffect;
  readonly reason: string;
}

/** The deviations of buildah 1.28 (Debian bookworm), vfs storage, chroot isolation, as root. */
export const BUILDAH_DEVIATIONS: readonly Deviation[] = [
  {
    id: 'run-network-stubs',
    cases: 'all',
    effect: { kind: 'extra-paths', paths: ['/etc/hostname', '/etc/hosts', '/etc/resolv.conf'] },
    reason: 'RUN leaves the empty bind-mount targets it created (mode 0755) in the layer',
  },
  {
    id: 'run-dir-stub',
    cases: 'all',
    effect: { kind: 'extra-paths', paths: ['/run'] },
    reason: 'RUN leaves the /run mount point it created; BuildKit mounts no /run',
  },
  {
    id: 'runtime-mount-points',
    cases: 'all',
    effect: { kind: 'unspecified-paths', paths: ['/dev', '/proc', '/sys'] },
    reason:
      'empty runtime mount points after RUN: not in the reference; BuildKit itself leaves /proc and /sys in a RUN layer on busybox (moby/buildkit#3455)',
  },
  {
    id: 'buildah-version-label',
    cases: 'all',
    effect: { kind: 'extra-labels', labels: ['io.buildah.version'] },
    reason: 'buildah stamps its version as a label into every image it builds',
  },
  {
    id: 'expose-range-kept',
    cases: ['config-metadata'],
    effect: { kind: 'config-fields', fields: ['ExposedPorts'] },
    reason: 'EXPOSE 8000-8001 is stored as the key "8000-8001/tcp" instead of one key per port',
  },
  {
    id: 'shell-ignored-by-cmd',
    cases: ['healthcheck-shell'],
    effect: { kind: 'config-fields', fields: ['Cmd'] },
    reason: 'shell-form CMD is wrapped in ["/bin/sh", "-c"] even after SHELL changed the shell',
  },
  {
    id: 'chmod-skips-directories',
    cases: ['copy-chown-chmod'],
    effect: { kind: 'wrong-paths', paths: ['/both'] },
    reason:
      'COPY --chmod leaves the created destination directory 0755; BuildKit applies the mode (moby/buildkit#4945)',
  },
  {
    id: 'no-heredocs',
    cases: ['heredocs'],
    effect: { kind: 'unsupported' },
    reason: 'buildah 1.28 has no here-documents (COPY <<EOF is read as a source path)',
  },
  {
    id: 'no-copy-link-exclude-parents',
    cases: ['copy-link-exclude-parents'],
    effect: { kind: 'unsupported' },
    reason: 'buildah 1.28 refuses COPY --link, --exclude and --parents (only --chmod, --chown, --from)',
  },
];

/** The deviations that apply to `caseName`. */
export function deviationsFor(caseName: string, all = BUILDAH_DEVIATIONS): Deviation[] {
  return all.filter((d) => d.cases === 'all' || d.cases.includes(caseName));
}

/** Subtrees both sides drop before comparing. */
export function unspecifiedPaths(deviations: readonly Deviation[]): Set<string> {
  return new Set(deviations.flatMap((d) => (d.effect.kind === 'unspecified-paths' ? d.effect.paths : [])));
}

/** Paths (exactly these, not their children) whose buildah entries are wrong: not compared or checked. */
export function wrongPaths(deviations: readonly Deviation[]): Set<string> {
  return new Set(deviations.flatMap((d) => (d.effect.kind === 'wrong-paths' ? d.effect.paths : [])));
}

/** Config fields whose buildah value is not compared. */
export function excusedConfigFields(deviations: readonly Deviation[]): Set<string> {
  return new Set(deviations.flatMap((d) => (d.effect.kind === 'config-fields' ? d.effect.fields : [])));
}

/** True when a deviation says buildah cannot build the case. */
export function buildahUnsupported(deviations: readonly Deviation[]): Deviation | undefined {
  return deviations.find((d) => d.effect.kind === 'unsupported');
}

function withoutPaths(
  image: NormalisedImage,
  subtrees: ReadonlySet<string>,
  exact: ReadonlySet<string> = new Set(),
): NormalisedImage {
  const dropped = (p: string): boolean =>
    exact.has(p) || [...subtrees].some((d) => p === d || p.startsWith(`${d}/`));
  return { config: image.config, tree: image.tree.filter((e) => !dropped(e.path)) };
}

/** `image` without the unspecified and the buildah-wrong paths (for either side of a comparison). */
export function dropUnspecified(image: NormalisedImage, deviations: readonly Deviation[]): NormalisedImage {
  return withoutPaths(image, unspecifiedPaths(deviations), wrongPaths(deviations));
}

/**
 * buildah's image as the reference would have it: extra paths and labels removed, unspecified and
 * wrong paths dropped. Config fields it gets wrong are left as they are (see {@link excusedConfigFields}).
 */
export function correctBuildah(image: NormalisedImage, deviations: readonly Deviation[]): NormalisedImage {
  const extra = new Set(deviations.flatMap((d) => (d.effect.kind === 'extra-paths' ? d.effect.paths : [])));
  const labels = new Set(
    deviations.flatMap((d) => (d.effect.kind === 'extra-labels' ? d.effect.labels : [])),
  );
  const kept = withoutPaths(
    image,
    new Set([...extra, ...unspecifiedPaths(deviations)]),
    wrongPaths(deviations),
  );
  const remaining = Object.entries(image.config.Labels ?? {}).filter(([k]) => !labels.has(k));
  const { Labels: _dropped, ...rest } = image.config;
  const config = remaining.length > 0 ? { ...rest, Labels: Object.fromEntries(remaining) } : rest;
  return { config, tree: kept.tree };
}
