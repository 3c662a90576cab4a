// Line differences of two texts (a changed cell's sources): the longest common subsequence of
// lines, after the common head and tail are taken off. Past MAX_CELLS of table the middle is
// shown as removed then added, which is still a correct (if not minimal) diff.

export interface DiffLine {
  op: "same" | "del" | "add";
  text: string;
  /** 1-based line numbers in a and b (null on the side the line is not in) */
  a: number | null;
  b: number | null;
}

const MAX_CELLS = 4_000_000;

export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function lineDiff(aText: string, bText: string): DiffLine[] {
  const a = splitLines(aText);
  const b = splitLines(bText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const out: DiffLine[] = [];
  for (let k = 0; k < head; k++) out.push({ op: "same", text: a[k], a: k + 1, b: k + 1 });
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  if (n * m > MAX_CELLS) {
    am.forEach((t, k) => out.push({ op: "del", text: t, a: head + k + 1, b: null }));
    bm.forEach((t, k) => out.push({ op: "add", text: t, a: null, b: head + k + 1 }));
  } else {
    // lcs[i][j]: length of the LCS of am[i:] and bm[j:], one flat array
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--) lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        out.push({ op: "same", text: am[i], a: head + i + 1, b: head + j + 1 });
        i++;
        j++;
      } else if (i < n && (j === m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
        out.push({ op: "del", text: am[i], a: head + i + 1, b: null });
        i++;
      } else {
        out.push({ op: "add", text: bm[j], a: null, b: head + j + 1 });
        j++;
      }
    }
  }
  for (let k = tail; k > 0; k--) out.push({ op: "same", text: a[a.length - k], a: a.length - k + 1, b: b.length - k + 1 });
  return out;
}

export type Segment<T> = { kind: "shown"; items: T[]; start: number } | { kind: "folded"; items: T[]; start: number };

/** Runs of at least `minRun` unchanged items folded (the rest shown), keeping `context` items of
 * each run visible next to a change. `start` is the index of the segment's first item. */
export function foldUnchanged<T>(items: T[], unchanged: (x: T) => boolean, minRun = 3, context = 1): Segment<T>[] {
  const segments: Segment<T>[] = [];
  const push = (kind: Segment<T>["kind"], from: number, to: number) => {
    if (to <= from) return;
    const last = segments[segments.length - 1];
    if (last && last.kind === kind) last.items.push(...items.slice(from, to));
    else segments.push({ kind, items: items.slice(from, to), start: from });
  };
  let i = 0;
  while (i < items.length) {
    if (!unchanged(items[i])) {
      push("shown", i, i + 1);
      i++;
      continue;
    }
    let j = i;
    while (j < items.length && unchanged(items[j])) j++;
    const keepHead = i === 0 ? 0 : context;
    const keepTail = j === items.length ? 0 : context;
    if (j - i - keepHead - keepTail >= minRun) {
      push("shown", i, i + keepHead);
      push("folded", i + keepHead, j - keepTail);
      push("shown", j - keepTail, j);
    } else push("shown", i, j);
    i = j;
  }
  return segments;
}
