/**
 * Build secrets for one build: the `--secret` store, a tmpfs scratch directory opened on first use
 * (secret files never touch the rootfs or the store), masking of secret values in progress text, and
 * the leak scan of the image before it is stored.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { SecretMount, SshMount } from '../dockerfile/instructions/types.js';
import type { SourceLocation } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { ImageConfig } from '../oci/types.js';
import { maskEvent, type ProgressEvent } from '../progress/index.js';
import {
  createSecretStore,
  openTmpfsScratch,
  prepareSecretMounts,
  prepareSshMounts,
  SecretMasker,
  type SecretSource,
  type SshAgents,
  type SshSpec,
  type StepSecrets,
  type StepSsh,
  scanForSecrets,
  secretLeakError,
  startSshAgents,
  type TmpfsScratch,
} from '../secrets/index.js';
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

/** The secrets of one build. */
export interface BuildSecrets extends StepSecretsProvider {
  /** Progress events with every secret value read so far masked. */
  mask(event: ProgressEvent): ProgressEvent;
  /** Fails with E_SECRET_LEAK when a secret value appears in a layer, the config or the history. */
  checkImage(options: {
    readonly store: LocalStore;
    readonly layers: readonly Digest[];
    readonly config: ImageConfig;
  }): Promise<void>;
  close(): Promise<void>;
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
    scratch ??= openTmpfsScratch({ env: options.env, fallbackParent: options.fallbackParent });
    return scratch;
  };
  const values = () => store.resolved().map((r) => ({ id: r.id, value: r.value }));
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
      agents ??= startSshAgents({
        specs: options.ssh,
        env: options.env,
        scratch: tmpfs,
        ...(options.env.PATH === undefined ? {} : { pathVar: options.env.PATH }),
      });
      return prepareSshMounts({
        mounts,
        agents: await agents,
        scratch: tmpfs,
        stepId,
        ...(location === undefined ? {} : { location }),
      });
    },
    mask(event: ProgressEvent): ProgressEvent {
      return store.resolved().length === 0 ? event : maskEvent(event, maskLine);
    },
    async checkImage({ store: content, layers, config }): Promise<void> {
      const secrets = values();
      if (secrets.length === 0) return;
      const open = (digest: Digest) => (): Readable => {
        const out = new PassThrough();
        content.openBlob(digest).then(
          (blob) => blob.on('error', (e) => out.destroy(e)).pipe(out),
          (error: unknown) => out.destroy(error as Error),
        );
        return out;
      };
      const leaks = await scanForSecrets({
        secrets,
        layers: layers.map(open),
        config: Buffer.from(JSON.stringify(config)),
        history: config.history ?? [],
      });
      if (leaks.length > 0) throw secretLeakError(leaks);
    },
    async close(): Promise<void> {
      if (agents !== undefined) await (await agents.catch(() => undefined))?.close();
      if (scratch !== undefined) await (await scratch.catch(() => undefined))?.close();
    },
  };
}
