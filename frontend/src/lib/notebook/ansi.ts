// ANSI escape sequences (colours in tracebacks and progress bars) removed from terminal text.
// CSI sequences (ESC [ ... final byte), OSC sequences (ESC ] ... BEL or ESC \) and lone
// two-byte escapes; also the 8-bit CSI (U+009B).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u009b[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** Terminal text as a viewer sees it: ANSI removed, each line's carriage returns resolved
 * (a progress bar rewritten with "\r" shows only its last state), "\r\n" as "\n". */
export function terminalText(text: string): string {
  return stripAnsi(text)
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      const parts = line.split("\r");
      return parts[parts.length - 1] === "" && parts.length > 1 ? parts[parts.length - 2] : parts[parts.length - 1];
    })
    .join("\n");
}
