/**
 * The Dockerfile AST: the parser's output, before instructions are typed.
 * Mirrors BuildKit's parser.Node in content, with TypeScript-shaped fields.
 */
import type { SourceRange } from '../../errors.js';

/** A heredoc attached to an instruction (RUN/COPY/ADD only). */
export interface Heredoc {
  /** Delimiter with quotes removed, e.g. `EOF`. */
  readonly name: string;
  /** Body: each line with its trailing newline, before tab chomping. */
  readonly content: string;
  /** False when any part of the delimiter was quoted (`<<'EOF'`, `<<"EOF"`): no expansion. */
  readonly expand: boolean;
  /** True for `<<-EOF`: leading tabs are stripped from each line when the content is used. */
  readonly chomp: boolean;
  /** N in `N<<EOF`; 0 when unspecified. */
  readonly fileDescriptor: number;
}

/** One instruction line (with its continuation lines and heredoc bodies). */
export interface InstructionNode {
  /** Lowercased keyword: `from`, `run`, `onbuild`, ... (unknown keywords are kept as written, lowercased). */
  readonly keyword: string;
  /**
   * The keyword exactly as written (`Run`, `FROM`), for casing checks and error messages
   * (BuildKit says "unknown instruction: foo" with the original case). Always set by the parser.
   */
  readonly keywordAsWritten?: string;
  /** Flags as written (`--from=build`), in order, before the arguments. */
  readonly flags: readonly string[];
  /**
   * Where each flag word is in the source, parallel to `flags` (for errors that point at one flag).
   * Absent when the positions are not known (nodes not made by `parseDockerfile`).
   */
  readonly flagRanges?: readonly SourceRange[];
  /**
   * Arguments as the BuildKit dump shows them:
   * - exec (JSON) form: one entry per array element, `json` true;
   * - shell form of RUN/CMD/ENTRYPOINT/SHELL-less ones: one entry with the joined line;
   * - ENV/LABEL: triples key, value, separator (`=` or `` for legacy `ENV k v`);
   * - ARG: words split by `parseWords` (quotes kept);
   * - HEALTHCHECK: the type word (`CMD`, `NONE`, ...) then the command as for CMD;
   * - MAINTAINER/USER/WORKDIR/STOPSIGNAL: the whole rest of the line as one entry;
   * - FROM/EXPOSE and non-JSON ADD/COPY/VOLUME: words split at ASCII whitespace (quotes kept);
   * - unknown keywords: a single empty string (BuildKit ignores their arguments at this stage).
   * Empty when there are no arguments, and for ONBUILD, whose instruction is `child`.
   */
  readonly args: readonly string[];
  /** True when the arguments came from valid JSON (exec form). */
  readonly json: boolean;
  /** For ONBUILD: the nested instruction. */
  readonly child?: InstructionNode;
  /** Heredocs, in order of appearance on the instruction line. */
  readonly heredocs: readonly Heredoc[];
  /** The instruction's text as written (continuations joined, escape+newline removed), without heredoc bodies. */
  readonly original: string;
  /** Comment lines (without `#`, trimmed) immediately preceding the instruction. */
  readonly comments: readonly string[];
  /**
   * From the keyword's first character to the end of the last line the instruction spans (heredoc bodies
   * included). Line numbers are BuildKit's StartLine/EndLine. An ONBUILD `child` carries its parent's range.
   */
  readonly range: SourceRange;
}

export interface ParserDirectives {
  /** `# escape=` value; `\` by default. */
  readonly escapeToken: '\\' | '`';
  /**
   * `# syntax=` value up to its first space, found as BuildKit's DetectSyntax does (a `#!` line may come
   * first; `//syntax=` and a JSON document are accepted). Recorded only (never used to fetch a frontend).
   */
  readonly syntax?: string;
  /** `# check=` value up to its first space (e.g. `skip=JSONArgsRecommended;error=true`). */
  readonly check?: string;
  /** Where each directive was found, by name. */
  readonly locations: Readonly<Record<string, SourceRange>>;
}

/** A non-fatal finding. Warnings are collected, never thrown. */
export interface ParseWarning {
  /** Stable code, e.g. `W_EMPTY_CONTINUATION`. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  /** Documentation link for the rule, as BuildKit gives it. */
  readonly url?: string;
  readonly range?: SourceRange;
}

export interface DockerfileAst {
  readonly directives: ParserDirectives;
  readonly children: readonly InstructionNode[];
  readonly warnings: readonly ParseWarning[];
  /** Spans from the first instruction's start to the last one's end (1-based lines). */
  readonly range: SourceRange;
}

export interface ParseOptions {
  /** File name used in locations; `Dockerfile` by default. */
  readonly file?: string;
}
