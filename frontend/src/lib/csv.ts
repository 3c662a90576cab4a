// CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes): parsed for file
// previews (at most `maxRows` rows; the caller says how many there were), and written for
// the runs table's download.

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

/** Characters that make a spreadsheet read a cell as a formula ("=cmd|' /C calc'!A0"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One value as CSV text, unquoted: numbers in full precision, floats the API sends as
 * "NaN"/"Infinity" as such, booleans as true/false, a string set joined by commas, empty for
 * no value. A string a spreadsheet would run as a formula gets a leading apostrophe (OWASP's
 * advice); numbers never do (-0.5 stays a number).
 */
export function csvText(value: unknown, type?: string): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if ((type === "float" || type === "float_series") && (value === "NaN" || value === "Infinity" || value === "-Infinity"))
    return String(value);
  if (Array.isArray(value)) return defuse(value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(","));
  if (typeof value === "string") return defuse(value);
  return defuse(JSON.stringify(value));
}

function defuse(text: string): string {
  return FORMULA_START.test(text) ? "'" + text : text;
}

/** A field quoted when it holds a quote, a comma, a line break, or starts/ends with a space. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** One CSV line (without its line break). */
export function csvLine(fields: string[]): string {
  return fields.map(csvField).join(",");
}

/**
 * A whole table as CSV: a header of the column paths, then a line a row (CRLF line breaks,
 * RFC 4180), values by `csvText` with each column's type.
 */
export function tableCsv(columns: string[], rows: Record<string, unknown>[], types: Record<string, string> = {}): string {
  const lines = [csvLine(columns.map(defuse))];
  for (const r of rows) lines.push(csvLine(columns.map((c) => csvText(r[c], types[c]))));
  return lines.join("\r\n") + "\r\n";
}
