/** The two escape characters a Dockerfile can choose with the `# escape=` parser directive. */
export type EscapeToken = '\\' | '`';
