// A field's value as one line of text, by its type (the tree's value column). Text only:
// the caller renders it as a React text node.
import { formatDatetime, formatNumber, toNumber } from "../../lib/format";
import type { FieldValue, FileRef, SeriesFile, SeriesSummary } from "../../api/fields";

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

function num(v: unknown): string {
  const n = toNumber(v);
  return n === null ? String(v) : formatNumber(n);
}

export function formatFieldValue(f: FieldValue | undefined, maxText = 200): string {
  if (!f) return "";
  const v = f.value;
  if (v === null || v === undefined) return "";
  switch (f.type) {
    case "float":
    case "int":
      return num(v);
    case "bool":
      return v ? "true" : "false";
    case "datetime":
      return formatDatetime(v as string);
    case "string": {
      const s = String(v);
      return s.length > maxText ? s.slice(0, maxText) + "…" : s;
    }
    case "string_set":
      return (v as string[]).join(", ");
    case "float_series": {
      const s = v as SeriesSummary;
      return s.count ? `${num(s.last_value)} (${s.count} points)` : "empty";
    }
    case "string_series": {
      const s = v as SeriesSummary;
      const last = typeof s.last_value === "string" ? s.last_value : "";
      return `${s.count} lines${last ? ": " + (last.length > maxText ? last.slice(0, maxText) + "…" : last) : ""}`;
    }
    case "file_series": {
      const s = v as SeriesSummary;
      const last = s.last_value as SeriesFile | null;
      return `${s.count} files${last?.name ? ", last: " + last.name : ""}`;
    }
    case "file": {
      const r = v as FileRef;
      return `${r.extension ? r.extension + " file, " : ""}${formatBytes(r.size)}`;
    }
    case "file_set":
    case "artifact": {
      const s = v as { hash: string; files: unknown[] };
      return `${s.files.length} files, hash ${s.hash.slice(0, 10)}`;
    }
    case "git_ref": {
      const g = v as Record<string, unknown>;
      return `${String(g.commit_id ?? "").slice(0, 10)} ${g.branch ? "on " + String(g.branch) : ""}${g.dirty ? " (dirty)" : ""}`.trim();
    }
    default:
      return typeof v === "string" ? v : JSON.stringify(v);
  }
}

/** The file name to save a file field as: its last path segment plus the extension. */
export function downloadName(path: string, extension: string): string {
  const base = path.split("/").pop() || "file";
  return extension && !base.toLowerCase().endsWith("." + extension.toLowerCase()) ? `${base}.${extension}` : base;
}

export type PreviewKind = "image" | "html" | "csv" | "diff" | "text" | "none";

const IMAGE = new Set(["png", "jpg", "jpeg", "gif", "webp", "bmp", "svg", "avif", "ico"]);
const TEXT = new Set([
  "txt", "log", "py", "json", "jsonl", "yaml", "yml", "md", "toml", "cfg", "ini", "sh", "js", "ts",
  "xml", "rst", "c", "h", "cpp", "java", "go", "rs", "r", "sql", "ipynb", "conf", "env", "out", "err",
]);

export function previewKind(extension: string, path = ""): PreviewKind {
  let ext = extension.toLowerCase().replace(/^\./, "");
  if (!ext) ext = (path.split("/").pop() ?? "").split(".").slice(1).pop()?.toLowerCase() ?? "";
  if (IMAGE.has(ext)) return "image";
  if (ext === "html" || ext === "htm") return "html";
  if (ext === "csv" || ext === "tsv") return "csv";
  if (ext === "patch" || ext === "diff") return "diff";
  if (TEXT.has(ext) || path.endsWith("requirements")) return "text";
  return "none";
}
