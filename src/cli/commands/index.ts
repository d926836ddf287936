/**
 * Every CLI command, in the order `kiln --help` lists them. Each module here only defines its command
 * (`register(program, ctx)`: name, arguments, options) and imports its action from ../actions/ when the
 * command runs, so start-up loads commander and these definitions, not the library.
 * Add one import + one entry per command.
 */
import type { CommandModule } from '../context.js';
import * as build from './build.js';
import * as copy from './copy.js';
import * as debug from './debug.js';
import * as images from './images.js';
import * as inspect from './inspect.js';
import * as load from './load.js';
import * as login from './login.js';
import * as logout from './logout.js';
import * as prune from './prune.js';
import * as pull from './pull.js';
import * as push from './push.js';
import * as rmi from './rmi.js';
import * as save from './save.js';
import * as tag from './tag.js';

export const commands: readonly CommandModule[] = [
  build,
  debug,
  images,
  inspect,
  tag,
  rmi,
  prune,
  pull,
  push,
  save,
  load,
  copy,
  login,
  logout,
];
