// Line-by-line reading of a child process's output (the interop peers print one event a line).

import type { Readable } from "node:stream";

/** Calls `onLine` with each complete line `stream` prints (without its newline). */
export function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      onLine(line);
    }
  });
}
