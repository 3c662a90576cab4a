// CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes) for file previews.
// A preview shows at most `maxRows` rows; the caller says how many there were.

export interface CsvTable {
  rows: string[][];
  /** true when parsing stopped at maxRows */
  truncated: boolean;
}

/** The delimiter a file most likely uses: comma, tab or semicolon, judged by its first line. */
export function sniffDelimiter(text: string): string {
  const firstLine = text.slice(0, text.indexOf("\n") >= 0 ? text.indexOf("\n") : text.length);
  let best = ",";
  let bestCount = 0;
  for (const d of [",", "\t", ";"]) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

export function parseCsv(text: string, maxRows = 1000, delimiter = sniffDelimiter(text)): CsvTable {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte order mark
  const n = text.length;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = "";
  };
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
      if (rows.length >= maxRows) return { rows, truncated: i + 1 < n };
    } else field += c;
    i++;
  }
  if (field !== "" || row.length > 0) endRow();
  return { rows, truncated: false };
}
