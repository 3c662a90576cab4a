// How a table cell or a field value is shown, by its type. Pure functions: the grid calls
// them for every visible cell, so they stay cheap and never build HTML (names and strings
// are rendered as React text by the caller).

/** A number with 4 to 6 significant digits: 0.1235, 12345.7, 1.235e-7, 1.235e+9. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "∞";
  if (x === -Infinity) return "-∞";
  if (x === 0) return "0";
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  const a = Math.abs(x);
  if (a >= 1e9 || a < 1e-4) return stripExp(x.toExponential(3));
  return stripZeros(x.toPrecision(6));
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

function stripExp(s: string): string {
  const [m, e] = s.split("e");
  return stripZeros(m) + "e" + e;
}

/** A float as the JSON API sends it: a number, or "NaN" / "Infinity" / "-Infinity". */
export function toNumber(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return null;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** An ISO 8601 time in the browser's time zone: 2024-05-01 14:03:07. */
export function formatDatetime(value: string | number): string {
  const d = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** Seconds as 1h 02m, 3m 07s, 12.5 s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return formatNumber(seconds);
  if (seconds < 60) return `${stripZeros(seconds.toFixed(1))} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${pad(m)}m`;
  return `${m}m ${pad(s % 60)}s`;
}

const UNITS = ["B", "kB", "MB", "GB", "TB"];
/** Bytes as 512 B, 1.5 kB, 20.3 MB (powers of 1000). */
export function formatBytes(n: number): string {
  let i = 0;
  while (Math.abs(n) >= 1000 && i < UNITS.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : stripZeros(n.toFixed(1))} ${UNITS[i]}`;
}

/** Whether a value of this type is shown as a list of chips (string sets). */
export function isChips(type: string | undefined): boolean {
  return type === "string_set";
}

/** The members of a string set value (a list from the API), for chips. */
export function chips(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

/**
 * One value as text. ``type`` is the store's field type (float, int, bool, string, datetime,
 * string_set, float_series, string_series, run_state, ...); ``path`` picks units for the
 * computed sys fields (sys/size in bytes, sys/running_time as a duration).
 */
export function formatValue(value: unknown, type?: string, path?: string): string {
  if (value === null || value === undefined) return "";
  if (path === "sys/size") {
    const n = toNumber(value);
    if (n !== null) return formatBytes(n);
  }
  if (path === "sys/running_time") {
    const n = toNumber(value);
    if (n !== null) return formatDuration(n);
  }
  switch (type) {
    case "float":
    case "float_series": {
      const n = toNumber(value);
      return n === null ? String(value) : formatNumber(n);
    }
    case "int":
      return String(value);
    case "bool":
      return value ? "true" : "false";
    case "datetime":
      return typeof value === "string" || typeof value === "number" ? formatDatetime(value) : String(value);
    case "string_set":
      return chips(value).join(", ");
    default:
      break;
  }
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return value.map((v) => formatValue(v)).join(", ");
  return JSON.stringify(value);
}

/** A short human name for a field type, for the column chooser. */
export function typeLabel(type: string): string {
  return type.replace(/_/g, " ");
}

/**
 * A whole field value as the container routes give it, in one line: series by their last
 * value and count, files by size, file sets and artifacts by their number of files.
 */
export function fieldSummary(type: string, value: unknown, path?: string): string {
  if (value === null || value === undefined) return "";
  const v = value as Record<string, unknown>;
  switch (type) {
    case "float_series":
    case "string_series": {
      const count = Number(v.count ?? 0);
      if (!count) return "no points";
      const last = type === "float_series" ? formatValue(v.last_value, "float") : String(v.last_value ?? "");
      return `${last} (last of ${count.toLocaleString()})`;
    }
    case "file_series": {
      const count = Number(v.count ?? 0);
      return `${count.toLocaleString()} file${count === 1 ? "" : "s"}`;
    }
    case "file":
      return `file, ${formatBytes(Number(v.size ?? 0))}${v.extension ? ` (.${String(v.extension)})` : ""}`;
    case "file_set":
    case "artifact": {
      const files = Array.isArray(v.files) ? v.files.length : 0;
      return `${files} file${files === 1 ? "" : "s"}`;
    }
    case "git_ref": {
      const commit = (v.commit_id ?? v.commit ?? "") as string;
      return commit ? `commit ${String(commit).slice(0, 10)}` : JSON.stringify(value);
    }
    default:
      return formatValue(value, type, path);
  }
}
