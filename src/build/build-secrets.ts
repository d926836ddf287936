/**
 * Build secrets for one build: the `--secret` store, a tmpfs scratch directory opened on first use
 * (secret files never touch the rootfs or the store), masking of secret values in progress text, and
 * the leak scan of the image before it is stored. The mounts, agents and scanner load on first use,
 * so a build without secrets never loads them.
 */
import { lstat, readFile } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import type { SecretMount, SshMount } from '../dockerfile/instructions/types.js';
import type { SourceLocation } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { ImageConfig } from '../oci/types.js';
import { maskEvent, type ProgressEvent } from '../progress/index.js';
import type {
  LeakStep,
  SecretSource,
  SshAgents,
  SshSpec,
  StepSecrets,
  StepSsh,
  TmpfsScratch,
} from '../secrets/index.js';
import { SecretMasker } from '../secrets/output-masker.js';
import { createSecretStore, DEFAULT_MAX_SECRET_BYTES } from '../secrets/secret-store.js';
import type { LocalStore } from '../store/index.js';
import type { StepSecretsProvider } from '../worker/types.js';

export interface BuildSecretsOptions {
  readonly sources: readonly SecretSource[];
  /** `--ssh` agents (started when a step first mounts one). */
  readonly ssh: readonly SshSpec[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Parent for a private tmpfs mount when neither XDG_RUNTIME_DIR nor /dev/shm is usable. */
  readonly fallbackParent: string;
}

/** What `checkImage` scans, with the step behind each layer and history entry for the report. */
export interface ImageLeakCheck {
  readonly store: LocalStore;
  /** The build's new, non-empty layers. */
  readonly layers: readonly { readonly diffID: Digest; readonly step?: LeakStep }[];
  readonly config: ImageConfig;
  /** The step that wrote each entry of `config.history` (undefined for base-image entries). */
  readonly historySteps: readonly (LeakStep | undefined)[];
  /** Called with the indexes (into `layers`) of leaking layers before the build fails. */
  readonly onLeak?: (layers: ReadonlySet<number>) => Promise<void>;
}

/** The secrets of one build. */
export interface BuildSecrets extends StepSecretsProvider {
  /** Progress events with every secret value read so far masked. */
  mask(event: ProgressEvent): ProgressEvent;
  /**
   * Fails with E_SECRET_LEAK, naming the step, when a secret value appears in a new layer, the config
   * or the history. Every `--secret` given is read first (a fully cached build has read none), so a
   * cached layer that leaked is caught too; `onLeak` runs before the error is thrown.
   */
  checkImage(check: ImageLeakCheck): Promise<void>;
  /** Fails with E_SECRET_LEAK when a secret is in an exported root filesystem tar (`type=local|tar`). */
  checkExport(open: () => Promise<Readable>): Promise<void>;
  /** Fails with E_SECRET_LEAK when a secret is in a document kiln writes (the metadata file). */
  checkDocument(name: string, bytes: Uint8Array): Promise<void>;
  /** The value of `--secret id` (masked and leak-scanned like any read secret), undefined when not given. */
  secretValue(id: string): Promise<Buffer | undefined>;
  /** The agent socket of `--ssh id` (agents start on first use), undefined when not given. */
  sshSocket(id: string): Promise<string | undefined>;
  /** True when the build was given secrets (so exports and documents must be checked). */
  readonly hasSecrets: boolean;
  close(): Promise<void>;
}

/** The parts of src/secrets that only a build given secrets (or mounting them) needs. */
function loadSecrets() {
  return import('../secrets/index.js');
}

/** Opens the build's secrets (nothing is read until a step asks for a secret). */
export function createBuildSecrets(options: BuildSecretsOptions): BuildSecrets {
  const store = createSecretStore({
    sources: options.sources,
    env: options.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let scratch: Promise<TmpfsScratch> | undefined;
  let agents: Promise<SshAgents> | undefined;
  const openScratch = () => {
    scratch ??= loadSecrets().then(({ openTmpfsScratch }) =>
      openTmpfsScratch({ env: options.env, fallbackParent: options.fallbackParent }),
    );
    return scratch;
  };
  const openAgents = async () => {
    const tmpfs = await openScratch();
    const { startSshAgents } = await loadSecrets();
    agents ??= startSshAgents({
      specs: options.ssh,
      env: options.env,
      scratch: tmpfs,
      ...(options.env.PATH === undefined ? {} : { pathVar: options.env.PATH }),
    });
    return agents;
  };
  const values = () => store.resolved().map((r) => ({ id: r.id, value: r.value }));
  // Reads every given secret (one that cannot be read could not have been mounted either), and the
  // private key files given to --ssh (a build that also COPYs the key would ship it).
  const allValues = async () => {
    await Promise.all(store.ids.map((id) => store.get(id).catch(() => undefined)));
    return [...values(), ...(await sshKeyFiles(options.ssh))];
  };
  const maskLine = (line: string): string => {
    const secrets = values();
    if (secrets.length === 0) return line;
    const masker = new SecretMasker(secrets);
    return Buffer.concat([masker.push(Buffer.from(line, 'utf8')), masker.flush()]).toString('utf8');
  };
  return {
    async prepare(
      mounts: readonly SecretMount[],
      stepId: string,
      location?: SourceLocation,
    ): Promise<StepSecrets> {
      const { prepareSecretMounts } = await loadSecrets();
      return prepareSecretMounts({
        mounts,
        store,
        scratch: await openScratch(),
        stepId,
        ...(location === undefined ? {} : { location }),
      });
    },
    async prepareSsh(
      mounts: readonly SshMount[],
      stepId: string,
      location?: SourceLocation,
    ): Promise<StepSsh> {
      const tmpfs = await openScratch();
      const { prepareSshMounts } = await loadSecrets();
      return prepareSshMounts({
        mounts,
        agents: await openAgents(),
        scratch: tmpfs,
        stepId,
        ...(location === undefined ? {} : { location }),
      });
    },
    async secretValue(id: string): Promise<Buffer | undefined> {
      return store.ids.includes(id) ? store.get(id) : undefined;
    },
    async sshSocket(id: string): Promise<string | undefined> {
      if (!options.ssh.some((spec) => spec.id === id)) return undefined;
      return (await openAgents()).socketOf(id);
    },
    mask(event: ProgressEvent): ProgressEvent {
      return store.resolved().length === 0 ? event : maskEvent(event, maskLine);
    },
    hasSecrets: store.ids.length > 0 || options.ssh.some((spec) => spec.paths.length > 0),
    async checkImage(check: ImageLeakCheck): Promise<void> {
      const secrets = await allValues();
      if (secrets.length === 0) return;
      const { scanForSecrets, secretLeakError } = await loadSecrets();
      const open = (digest: Digest) => (): Readable => {
        const out = new PassThrough();
        check.store.openBlob(digest).then(
          (blob) => blob.on('error', (e) => out.destroy(e)).pipe(out),
          (error: unknown) => out.destroy(error as Error),
        );
        return out;
      };
      const leaks = await scanForSecrets({
        secrets,
        layers: check.layers.map((l) => open(l.diffID)),
        config: Buffer.from(JSON.stringify(check.config)),
        history: check.config.history ?? [],
      });
      if (leaks.length === 0) return;
      const leaking = new Set(leaks.flatMap((l) => (l.where.kind === 'layer' ? [l.where.layer] : [])));
      await check.onLeak?.(leaking);
      throw secretLeakError(leaks, {
        layerStep: (i) => check.layers[i]?.step,
        historyStep: (i) => check.historySteps[i],
        mask: maskLine,
      });
    },
    async checkExport(openTar): Promise<void> {
      const secrets = await allValues();
      if (secrets.length === 0) return;
      const { scanForSecrets, secretLeakError } = await loadSecrets();
      const tar = await openTar();
      const leaks = await scanForSecrets({ secrets, layers: [() => tar], rootfs: true });
      if (leaks.length > 0) throw secretLeakError(leaks, { mask: maskLine });
    },
    async checkDocument(name, bytes): Promise<void> {
      const secrets = await allValues();
      if (secrets.length === 0) return;
      const { scanForSecrets, secretLeakError } = await loadSecrets();
      const leaks = await scanForSecrets({ secrets, layers: [], documents: [{ name, bytes }] });
      if (leaks.length > 0) throw secretLeakError(leaks, { mask: maskLine });
    },
    async close(): Promise<void> {
      if (agents !== undefined) await (await agents.catch(() => undefined))?.close();
      if (scratch !== undefined) await (await scratch.catch(() => undefined))?.close();
    },
  };
}

/** The contents of the regular files among `--ssh` paths (sockets and unreadable paths are skipped). */
async function sshKeyFiles(specs: readonly SshSpec[]): Promise<{ id: string; value: Buffer }[]> {
  const out: { id: string; value: Buffer }[] = [];
  for (const spec of specs) {
    for (const path of spec.paths) {
      const st = await lstat(path).catch(() => undefined);
      if (st === undefined || !st.isFile() || st.size > DEFAULT_MAX_SECRET_BYTES) continue;
      const value = await readFile(path).catch(() => undefined);
      if (value !== undefined) out.push({ id: `ssh key ${spec.id}`, value });
    }
  }
  return out;
}
