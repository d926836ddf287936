/**
 * A minimal terminal emulator for tests: applies the sequences the live view writes (text, CR, LF,
 * cursor up, erase line, erase down, colours) to a grid and returns the screen a person would see.
 */
export class VirtualTerminal {
  readonly #lines: string[] = [''];
  #row = 0;
  #col = 0;
  /** Sequences this emulator does not know (a test can assert there are none). */
  readonly unknown: string[] = [];

  write(text: string): void {
    let i = 0;
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '\u001b') {
        const match = /^\u001b\[([0-9;?]*)([A-Za-z])/.exec(text.slice(i));
        if (match === null) {
          this.unknown.push(text.slice(i, i + 8));
          i += 1;
          continue;
        }
        this.#csi(match[1] as string, match[2] as string);
        i += match[0].length;
        continue;
      }
      if (ch === '\r') this.#col = 0;
      else if (ch === '\n') {
        this.#row += 1;
        this.#col = 0;
        while (this.#lines.length <= this.#row) this.#lines.push('');
      } else {
        const line = (this.#lines[this.#row] as string).padEnd(this.#col, ' ');
        this.#lines[this.#row] = line.slice(0, this.#col) + ch + line.slice(this.#col + 1);
        this.#col += 1;
      }
      i += 1;
    }
  }

  #csi(params: string, final: string): void {
    switch (final) {
      case 'A':
        this.#row = Math.max(0, this.#row - Number(params || '1'));
        return;
      case 'K':
        if (params === '2') this.#lines[this.#row] = '';
        else this.#lines[this.#row] = (this.#lines[this.#row] as string).slice(0, this.#col);
        return;
      case 'J':
        this.#lines[this.#row] = (this.#lines[this.#row] as string).slice(0, this.#col);
        this.#lines.length = this.#row + 1;
        return;
      case 'm':
        return;
      default:
        this.unknown.push(`CSI ${params}${final}`);
    }
  }

  /** The screen's lines, trailing spaces removed, without the empty line the cursor sits on. */
  screen(): string[] {
    const lines = this.#lines.map((l) => l.trimEnd());
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
}
