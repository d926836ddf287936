/**
 * .dockerignore: reading ignore files and matching context paths against their patterns.
 */
export {
  dockerfileIgnorePath,
  type IgnoreFileCandidates,
  type IgnoreFileSource,
  readIgnoreFile,
  type SelectedIgnoreFile,
  selectIgnoreFile,
} from './ignore-file.js';
export {
  createIgnoreMatcher,
  type IgnoreMatcher,
  type IgnorePattern,
  legacyMatches,
  type MatchInfo,
  type MatchResult,
} from './matcher.js';
