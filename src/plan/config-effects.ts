/**
 * Config-only instructions: their effect on the image config and the history text BuildKit records
 * (`ENV A=b`, `CMD ["/bin/sh" "-c" "x"]`, `EXPOSE [80/tcp]`, ...). One small function per instruction.
 */

import type {
  ArgInstruction,
  CmdInstruction,
  EntrypointInstruction,
  EnvInstruction,
  ExposeInstruction,
  HealthcheckInstruction,
  LabelInstruction,
  MaintainerInstruction,
  OnbuildInstruction,
  ShellInstruction,
  StopsignalInstruction,
  UserInstruction,
  VolumeInstruction,
} from '../dockerfile/instructions/types.js';
import { isProxyArg } from '../dockerfile/stages/build-args.js';
import { addEnv } from '../dockerfile/stages/env-list.js';
import { assertNever, ErrorCode, KilnError, type SourceLocation } from '../errors.js';
import type { HealthConfig } from '../oci/types.js';
import { goDuration, goList, goQuotedList } from './go-format.js';
import { configArgv, defaultShell } from './run-argv.js';
import type { WorkingImage } from './working-image.js';

/** Instructions that only change the image config. */
export type ConfigInstruction =
  | ArgInstruction
  | CmdInstruction
  | EntrypointInstruction
  | EnvInstruction
  | ExposeInstruction
  | HealthcheckInstruction
  | LabelInstruction
  | MaintainerInstruction
  | OnbuildInstruction
  | ShellInstruction
  | StopsignalInstruction
  | UserInstruction
  | VolumeInstruction;

/** Per-stage facts config effects need beyond the image. */
export interface ConfigContext {
  /** True once the stage ran CMD (then ENTRYPOINT keeps it). Updated by `applyConfigInstruction`. */
  cmdSet: boolean;
  readonly location: SourceLocation;
}

/** The shell for shell-form commands: the image's SHELL or the OS default. */
export function imageShell(image: WorkingImage): readonly string[] {
  const shell = image.config.Shell;
  return shell !== undefined && shell !== null && shell.length > 0 ? shell : defaultShell(image.os);
}

function env(image: WorkingImage, c: EnvInstruction): string {
  let list = image.config.Env ?? [];
  for (const pair of c.env) list = addEnv(list, pair.key, pair.value);
  image.config.Env = [...list];
  return ['ENV', ...c.env.map((p) => `${p.key}=${p.value}`)].join(' ');
}

function label(image: WorkingImage, c: LabelInstruction): string {
  const labels = { ...(image.config.Labels ?? {}) };
  for (const l of c.labels) labels[l.key] = l.value;
  image.config.Labels = labels;
  return ['LABEL', ...c.labels.map((p) => `${p.key}=${p.value}`)].join(' ');
}

function expose(image: WorkingImage, c: ExposeInstruction): string {
  const ports: Record<string, Record<string, never>> = { ...(image.config.ExposedPorts ?? {}) };
  for (const p of c.ports) ports[p] = {};
  image.config.ExposedPorts = ports;
  return `EXPOSE ${goList(c.ports)}`;
}

function volume(image: WorkingImage, c: VolumeInstruction, ctx: ConfigContext): string {
  const volumes: Record<string, Record<string, never>> = { ...(image.config.Volumes ?? {}) };
  for (const v of c.volumes) {
    if (v === '') {
      throw new KilnError(ErrorCode.DockerfileInstruction, 'VOLUME specified can not be an empty string', {
        location: ctx.location,
      });
    }
    volumes[v] = {};
  }
  image.config.Volumes = volumes;
  return `VOLUME ${goList(c.volumes)}`;
}

function healthConfig(c: HealthcheckInstruction): HealthConfig {
  const h = c.health;
  if (h.kind === 'none') return { Test: ['NONE'] };
  return {
    Test: [...h.test],
    ...(h.intervalNs === 0 ? {} : { Interval: h.intervalNs }),
    ...(h.timeoutNs === 0 ? {} : { Timeout: h.timeoutNs }),
    ...(h.startPeriodNs === 0 ? {} : { StartPeriod: h.startPeriodNs }),
    ...(h.startIntervalNs === 0 ? {} : { StartInterval: h.startIntervalNs }),
    ...(h.retries === 0 ? {} : { Retries: h.retries }),
  };
}

/** `fmt.Sprintf("HEALTHCHECK %+v", config)`. */
function healthcheckText(h: HealthConfig): string {
  const fields = [
    `Test:${goList(h.Test ?? [])}`,
    `Interval:${goDuration(h.Interval ?? 0)}`,
    `Timeout:${goDuration(h.Timeout ?? 0)}`,
    `StartPeriod:${goDuration(h.StartPeriod ?? 0)}`,
    `StartInterval:${goDuration(h.StartInterval ?? 0)}`,
    `Retries:${h.Retries ?? 0}`,
  ];
  return `HEALTHCHECK {${fields.join(' ')}}`;
}

/** `ARG k=v ...`; proxy args show their name only (their values are never recorded). */
function argText(c: ArgInstruction): string {
  const words = c.args.map((a) =>
    a.value === undefined || isProxyArg(a.key) ? a.key : `${a.key}=${a.value}`,
  );
  return `ARG ${words.join(' ')}`;
}

/**
 * Applies a config-only instruction to `image`; returns the history `created_by`, or undefined for
 * ONBUILD (BuildKit records no history entry for it). ARG changes nothing in the config.
 */
export function applyConfigInstruction(
  image: WorkingImage,
  c: ConfigInstruction,
  ctx: ConfigContext,
): string | undefined {
  switch (c.kind) {
    case 'env':
      return env(image, c);
    case 'label':
      return label(image, c);
    case 'expose':
      return expose(image, c);
    case 'volume':
      return volume(image, c, ctx);
    case 'user':
      image.config.User = c.user;
      return `USER ${c.user}`;
    case 'cmd': {
      const args = configArgv(c.command, imageShell(image));
      image.config.Cmd = [...args];
      image.config.ArgsEscaped = true;
      ctx.cmdSet = true;
      return `CMD ${goQuotedList(args)}`;
    }
    case 'entrypoint': {
      const args = configArgv(c.command, imageShell(image));
      image.config.Entrypoint = [...args];
      if (!ctx.cmdSet) delete image.config.Cmd;
      return `ENTRYPOINT ${goQuotedList(args)}`;
    }
    case 'healthcheck': {
      const health = healthConfig(c);
      image.config.Healthcheck = health;
      return healthcheckText(health);
    }
    case 'stopsignal':
      image.config.StopSignal = c.signal;
      return `STOPSIGNAL ${c.signal}`;
    case 'shell':
      image.config.Shell = [...c.shell];
      return `SHELL ${goList(c.shell)}`;
    case 'maintainer':
      image.author = c.maintainer;
      return `MAINTAINER ${c.maintainer}`;
    case 'onbuild':
      image.config.OnBuild = [...(image.config.OnBuild ?? []), c.expression];
      return undefined;
    case 'arg':
      return argText(c);
    default:
      return assertNever(c, 'config instruction');
  }
}
