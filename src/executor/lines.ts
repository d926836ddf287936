/** Splitting a byte stream into lines for the step's output callbacks. */
import { StringDecoder } from 'node:string_decoder';

/** A sink that calls `onLine` for each complete line (without the newline); `end()` flushes the rest. */
export interface LineSink {
  write(chunk: Buffer): void;
  end(): void;
}

/** Creates a line sink; `\r\n` endings lose their `\r`. */
export function lineSink(onLine: (line: string) => void): LineSink {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emit = (text: string) => {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  };
  return {
    write(chunk) {
      emit(decoder.write(chunk));
    },
    end() {
      emit(decoder.end());
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}
