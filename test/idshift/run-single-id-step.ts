// Runs test/idshift/fixtures/single-id-step.ts (compiled) as the user without subordinate ids.
import { TEST_USER_NO_SUBIDS } from '../helpers/cli.js';
import { runJsonFixtureAs } from '../helpers/json-fixture.js';

export interface SingleIdStepReport {
  readonly error?: string;
  readonly emulation: string;
  readonly warnings: readonly string[];
  readonly isolation: string;
  readonly exitCode: number;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  readonly owners: Readonly<Record<string, { uid: number; gid: number } | null>>;
}

export interface SingleIdStepOptions {
  readonly isolation: string;
  readonly script: string;
  readonly inspect?: readonly string[];
  /** Shared helper cache (a directory the test user can write). */
  readonly helperRoot: string;
  readonly env?: Readonly<Record<string, string>>;
}

export function runSingleIdStep(options: SingleIdStepOptions): Promise<SingleIdStepReport> {
  const fixture = 'dist/test/idshift/fixtures/single-id-step.js';
  return runJsonFixtureAs<SingleIdStepReport>({
    user: TEST_USER_NO_SUBIDS,
    args: [fixture, options.isolation, options.script, ...(options.inspect ?? [])],
    env: { KILN_IDSHIFT_ROOT: options.helperRoot, ...options.env },
  });
}
