/**
 * `build(options, hooks)`: the library's one call for a Dockerfile build.
 *
 * context + Dockerfile → check → base images (store / registry / archives) → plan → context digests →
 * cache keys → solve (cache lookups, RUN / COPY in the worker) → image config + manifest in the store
 * → tags and outputs. Progress goes to `hooks.onEvent` as BuildKit-style vertices.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildContext, hashSources, resolveSources } from '../context/index.js';
import { parseDockerfile } from '../dockerfile/parser/index.js';
import { resolveDockerfile } from '../dockerfile/stages/index.js';
import { ErrorCode, KilnError } from '../errors.js';
import { finalImageConfig } from '../export/image-config.js';
import { checkAnnotationsFit, storedImageFormat } from '../export/output-media-types.js';
import { runOutputs } from '../export/run-outputs.js';
import { storeImage } from '../export/store-image.js';
import { OciMediaType } from '../oci/media-types.js';
import { defaultPlatform, formatPlatform, type PlatformSpec } from '../oci/platform.js';
import { baseImageRequests, computeCacheKeys, digestContextSelections, planBuild } from '../plan/index.js';
import {
  createProgressEmitter,
  type ProgressEmitter,
  systemClock,
  toProgressError,
} from '../progress/index.js';
import type { RegistryClient } from '../registry/index.js';
import { openCacheIndex } from '../solver/cache-index.js';
import { displayRef } from '../solver/display-ref.js';
import { solve } from '../solver/solve.js';
import { type Lease, type LocalStore, openStore, type ResolvedImage, tagRefName } from '../store/index.js';
import { ensureChainDir } from '../worker/chains.js';
import type { WorkerEnv } from '../worker/types.js';
import { createImageResolver } from './base-images.js';
import { type BuildSecrets, createBuildSecrets } from './build-secrets.js';
import {
  definitionName,
  namespaceOf,
  openContext,
  type Resolved,
  resolveImageOps,
  stageFilter,
  vertex,
} from './build-steps.js';
import { type GitSources, resolveGitSources } from './git-sources.js';
import { fetchHttpSources } from './http-sources.js';
import { imageEnvLookup } from './image-env.js';
import { forgetLeakedSteps, leakSteps } from './leak-steps.js';
import type { BuildHooks, BuildOptions, BuildResult } from './types.js';
import { createWorkerEnv, disposeWorkDir } from './worker-env.js';

const DEFAULT_JOBS = 4;
const SECRET_NAME_HINT =
  'build args and ENV are stored in the image; pass secrets with --secret id=NAME,env=NAME and read them in RUN --mount=type=secret,id=NAME';

interface Session {
  readonly store: LocalStore;
  readonly lease: Lease;
  readonly context: BuildContext;
  /** Registry clients by host, made on first use (a build whose bases are all local makes none). */
  readonly clients: Map<string, Promise<RegistryClient>>;
  env?: WorkerEnv;
  git?: GitSources;
}

async function runBuild(
  options: BuildOptions,
  hooks: BuildHooks,
  emit: ProgressEmitter,
  session: Session,
  secrets: BuildSecrets,
): Promise<BuildResult> {
  const { store, lease, context } = session;
  // Bad names fail before any work (E_REFERENCE).
  for (const tag of options.tags ?? []) tagRefName(tag);
  // So do outputs that disagree on oci-mediatypes= (E_USAGE).
  const format = storedImageFormat(options.outputs ?? []);
  checkAnnotationsFit(options.outputs ?? [], format, options.annotations);
  const platform: PlatformSpec =
    options.platform ?? defaultPlatform({ platform: process.platform, arch: process.arch });
  const file = context.dockerfile.name;
  const checkOptions = {
    file,
    buildArgs: options.buildArgs ?? {},
    ...(options.target === undefined ? {} : { target: options.target }),
    targetPlatform: platform,
  };
  // A first pass finds the base images; the second expands each stage with its base image's Env.
  const ast = parseDockerfile(context.dockerfile.text, { file });
  const unexpanded = resolveDockerfile(ast, checkOptions);
  const requests = baseImageRequests(unexpanded, {
    ...(options.target === undefined ? {} : { target: options.target }),
    platform,
    file,
  });
  const registryClient = (registry: string): Promise<RegistryClient> => {
    let client = session.clients.get(registry);
    if (client === undefined) {
      const custom = options.registryClient;
      client =
        custom === undefined
          ? import('../registry/index.js').then(({ createRegistryClient }) => createRegistryClient())
          : Promise.resolve(custom(registry));
      session.clients.set(registry, client);
    }
    return client;
  };
  const resolver = createImageResolver({
    store,
    lease,
    pull: options.pull === true,
    buildContexts: options.buildContexts ?? new Map(),
    registryClient,
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
  });
  const configs = new Map<string, ResolvedImage>();
  await Promise.all(
    requests.map((r) =>
      vertex(emit, `[internal] load metadata for ${displayRef(r.ref)}`, async () => {
        const image = await resolver.resolve(r.ref, r.platform);
        configs.set(`${r.ref}\u0000${formatPlatform(r.platform)}`, image);
      }),
    ),
  );
  const checked =
    requests.length === 0
      ? unexpanded
      : resolveDockerfile(ast, { ...checkOptions, imageEnv: imageEnvLookup(configs) });
  for (const d of checked.diagnostics) {
    emit({
      kind: 'warning',
      diagnostic: {
        severity: d.severity,
        code: d.code,
        message: d.message,
        ...(d.url === undefined ? {} : { detail: d.url }),
        ...(d.code === 'SecretsUsedInArgOrEnv' ? { hint: SECRET_NAME_HINT } : {}),
        ...(d.range === undefined ? {} : { location: { file: d.file, range: d.range } }),
      },
    });
  }
  const resolved: Resolved = {
    images: new Map(),
    sourceDirs: new Map(),
    localDigests: new Map(),
    blobs: new Map(),
    layerMediaTypes: new Map(),
  };
  const plan = planBuild(checked, {
    ...(options.target === undefined ? {} : { target: options.target }),
    platform,
    ...(options.labels === undefined ? {} : { labels: options.labels }),
    buildArgs: options.buildArgs ?? {},
    ...(options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch }),
    exec: {
      ...(options.extraHosts === undefined ? {} : { extraHosts: options.extraHosts }),
      ...(options.shmSizeBytes === undefined ? {} : { shmSizeBytes: options.shmSizeBytes }),
      ...(options.ulimits === undefined ? {} : { ulimits: options.ulimits }),
    },
    baseImage: (ref, p) => configs.get(`${ref}\u0000${formatPlatform(p)}`)?.config,
    file,
  });
  // The worker's signal: the caller's, and aborted when one step fails while others run.
  const stop = new AbortController();
  const forward = () => stop.abort(hooks.signal?.reason);
  if (hooks.signal?.aborted === true) forward();
  hooks.signal?.addEventListener('abort', forward, { once: true });
  const namespace = namespaceOf(options);
  const env = await createWorkerEnv({
    store,
    lease,
    context,
    namespace,
    buildId: randomUUID(),
    network: options.network ?? 'host',
    isolation: options.isolation ?? 'auto',
    snapshotter: options.snapshotter ?? 'auto',
    pathVar: options.env?.PATH,
    ...(options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch }),
    blobs: resolved.blobs,
    secrets,
    signal: stop.signal,
    warn: (message, hint) =>
      emit({
        kind: 'warning',
        diagnostic: {
          severity: 'warning',
          code: 'E_IDSHIFT',
          message,
          ...(hint === undefined ? {} : { hint }),
        },
      }),
  });
  session.env = env;
  await resolveImageOps(plan, resolver, resolved, {
    contexts: options.buildContexts ?? new Map(),
    cwd: options.cwd ?? process.cwd(),
    cacheDir: join(store.paths.kilnRoot, 'cache', 'context-hashes'),
  });
  // Both settle before either failure is thrown; session.git is set first so the build's finally closes it.
  const [fetchedHttp, resolvedGit] = await Promise.allSettled([
    fetchHttpSources({
      plan,
      dir: env.dirs.work,
      file,
      ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    }),
    resolveGitSources({
      plan,
      dir: env.dirs.work,
      file,
      credentials: { secret: (id) => secrets.secretValue(id), sshSocket: (id) => secrets.sshSocket(id) },
      ...(options.env?.PATH === undefined ? {} : { pathVar: options.env.PATH }),
      realRoot: namespace.kind === 'root' && process.getuid?.() === 0,
      report: (name, work) => vertex(emit, name, work),
      ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    }),
  ]);
  if (resolvedGit.status === 'fulfilled') session.git = resolvedGit.value;
  if (fetchedHttp.status === 'rejected') throw fetchedHttp.reason;
  if (resolvedGit.status === 'rejected') throw resolvedGit.reason;
  const http = fetchedHttp.value;
  const git = resolvedGit.value;
  for (const [id, dir] of http.dirs) resolved.sourceDirs.set(id, dir);
  const contextDigests =
    plan.contextSelections.length === 0
      ? new Map<string, string>()
      : await vertex(emit, '[internal] load build context', () =>
          digestContextSelections(
            plan,
            {
              digest: async (selection, signal) =>
                hashSources(
                  await resolveSources(context, selection.patterns, {
                    followSymlinks: selection.followSymlinks,
                    excludes: selection.excludes,
                    parents: selection.parents,
                    allowEmptyWildcard: selection.allowEmptyWildcard,
                  }),
                  {
                    cacheDir: join(store.paths.kilnRoot, 'cache', 'context-hashes'),
                    ...(signal === undefined ? {} : { signal }),
                  },
                ),
            },
            hooks.signal,
          ),
        );
  const keys = computeCacheKeys(plan, {
    imageDigests: new Map([
      ...[...resolved.images].map(([id, image]) => [id, image.manifestDescriptor.digest] as const),
      ...resolved.localDigests,
    ]),
    contextDigests,
    remoteDigests: new Map([...http.digests, ...git.commits]),
  });
  const outcomes = await solve({
    plan,
    keys,
    images: resolved.images,
    sourceDirs: resolved.sourceDirs,
    lazySourceDirs: new Map([...git.commits.keys()].map((id) => [id, () => git.checkout(id)])),
    env,
    cache: openCacheIndex(store.paths.kilnRoot),
    skipCache: stageFilter(plan, options),
    jobs: options.jobs ?? DEFAULT_JOBS,
    emit,
    file,
    onFailure: () => stop.abort(new KilnError(ErrorCode.Aborted, 'another step of the build failed')),
  }).finally(() => hooks.signal?.removeEventListener('abort', forward));
  const built = plan.layerOps.map((id) => {
    const layer = outcomes.get(id)?.layer;
    if (layer === undefined) throw new KilnError(ErrorCode.Internal, `layer op ${id} produced no layer`);
    return layer;
  });
  const config = finalImageConfig(plan.image, built);
  if (secrets.hasSecrets) {
    const steps = leakSteps(plan, built, file);
    await vertex(emit, '[internal] scan the image for build secrets', () =>
      secrets.checkImage({
        store,
        ...steps,
        config,
        onLeak: (leaking) =>
          forgetLeakedSteps(
            plan,
            keys,
            openCacheIndex(store.paths.kilnRoot),
            [...leaking].flatMap((i) => steps.layers[i]?.op ?? []),
          ),
      }),
    );
  }
  const sizes = new Map(built.map((l) => [l.diffID, l.size]));
  const layers = config.rootfs.diff_ids.map((diffID) => {
    const base = resolved.layerMediaTypes.get(diffID);
    if (base !== undefined) return base;
    const size = sizes.get(diffID);
    if (size === undefined) throw new KilnError(ErrorCode.Internal, `no blob for layer ${diffID}`);
    return { mediaType: OciMediaType.ImageLayer, digest: diffID, size };
  });
  const rootfsTar = async () => {
    const root =
      config.rootfs.diff_ids.length === 0 ? undefined : await ensureChainDir(env, config.rootfs.diff_ids);
    if (root === undefined) throw new KilnError(ErrorCode.Usage, 'the image has no filesystem to export');
    const { diffToLayer } = await import('../layer/index.js');
    return diffToLayer({ upper: root, mode: 'overlay-upper', ownership: env.ownership }).stream;
  };
  // The exported filesystem is scanned before anything is stored or written.
  if (secrets.hasSecrets && (options.outputs ?? []).some((o) => o.kind === 'local' || o.kind === 'tar')) {
    await vertex(emit, '[internal] scan the exported filesystem for secrets', () =>
      secrets.checkExport(rootfsTar),
    );
  }
  const tags = options.tags ?? [];
  const stored = await vertex(emit, 'exporting to image', async () => {
    const image = await storeImage({
      store,
      lease,
      config,
      layers,
      tags,
      format,
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    });
    await runOutputs({
      store,
      image,
      outputs: options.outputs ?? [],
      tags,
      rootfsTar,
      registryClient,
      stdout: options.stdout ?? process.stdout,
      ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    });
    return image;
  });
  if (options.iidFile !== undefined) await writeFile(options.iidFile, stored.configDescriptor.digest);
  if (options.metadataFile !== undefined) {
    const metadata = {
      'containerimage.config.digest': stored.configDescriptor.digest,
      'containerimage.descriptor': stored.manifestDescriptor,
      'containerimage.digest': stored.manifestDescriptor.digest,
      ...(stored.tags.length === 0 ? {} : { 'image.name': stored.tags.join(',') }),
    };
    const text = `${JSON.stringify(metadata, null, 2)}\n`;
    await secrets.checkDocument('the metadata file', Buffer.from(text));
    await writeFile(options.metadataFile, text);
  }
  const cachedSteps = plan.layerOps.filter((id) => outcomes.get(id)?.cached === true).length;
  return {
    imageDigest: stored.manifestDescriptor.digest,
    configDigest: stored.configDescriptor.digest,
    manifestDescriptor: stored.manifestDescriptor,
    manifest: stored.manifest,
    config,
    tags: stored.tags,
    steps: plan.layerOps.length,
    cachedSteps,
  };
}

/**
 * Builds an image. Throws KilnError for bad input (Dockerfile errors, missing base images, failed RUN
 * steps with their Dockerfile location…); the same error is reported as a `build-error` event.
 */
export async function build(options: BuildOptions, hooks: BuildHooks = {}): Promise<BuildResult> {
  const clock = hooks.clock ?? systemClock();
  const secrets = createBuildSecrets({
    sources: options.secrets ?? [],
    ssh: options.ssh ?? [],
    env: options.env ?? {},
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    fallbackParent: tmpdir(),
  });
  const onEvent = hooks.onEvent;
  const emit = createProgressEmitter({
    clock,
    listeners: onEvent === undefined ? [] : [(event) => onEvent(secrets.mask(event))],
  });
  const started = clock.now();
  emit({
    kind: 'build-start',
    ...(options.target === undefined ? {} : { target: options.target }),
    ...(options.platform === undefined ? {} : { platform: formatPlatform(options.platform) }),
  });
  let session: Session | undefined;
  try {
    const store = await openStore({
      ...(options.storeRoot === undefined ? {} : { root: options.storeRoot }),
      env: options.env ?? {},
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const lease = await store.createLease();
    try {
      const context = await vertex(
        emit,
        `[internal] load build definition from ${definitionName(options)}`,
        () => openContext(options, store),
      );
      session = { store, lease, context, clients: new Map() };
      const result = await runBuild(options, hooks, emit, session, secrets);
      emit({
        kind: 'build-done',
        digest: result.imageDigest,
        tags: result.tags,
        durationMs: clock.now() - started,
      });
      return result;
    } finally {
      // git first: it waits for checkouts under way, which write below the work dir.
      await session?.git?.close();
      if (session?.env !== undefined) await disposeWorkDir(session.env).catch(() => undefined);
      for (const client of session?.clients.values() ?? []) {
        await client.then((c) => c.close()).catch(() => undefined);
      }
      await session?.context.close().catch(() => undefined);
      await lease.release().catch(() => undefined);
      await secrets.close().catch(() => undefined);
    }
  } catch (error) {
    const location = error instanceof KilnError ? error.location : undefined;
    emit({
      kind: 'build-error',
      error: toProgressError(error),
      ...(location === undefined ? {} : { location }),
      durationMs: clock.now() - started,
    });
    throw error;
  }
}
