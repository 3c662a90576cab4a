// A .ipynb (nbformat 4) read into the cells and outputs the app shows. Nothing here is trusted:
// every string is later shown as React text, images only as data: URLs of a few image types,
// HTML only inside an empty-sandbox frame (components/notebook/).
import { terminalText } from "./ansi";

export type ImageMime = "image/png" | "image/jpeg" | "image/svg+xml";

export type Output =
  | { kind: "stream"; name: string; text: string }
  | { kind: "error"; ename: string; evalue: string; traceback: string }
  | { kind: "image"; mime: ImageMime; src: string; width: number | null; height: number | null }
  | { kind: "html"; html: string }
  | { kind: "markdown"; text: string }
  | { kind: "text"; text: string }
  | { kind: "unsupported"; mimes: string[] };

export interface Cell {
  type: "code" | "markdown" | "raw";
  source: string;
  executionCount: number | null;
  outputs: Output[];
  /** Markdown cell attachments: name -> mime -> base64 payload. */
  attachments: Record<string, Record<string, string>>;
}

export interface Notebook {
  cells: Cell[];
  language: string | null;
  kernel: string | null;
}

export class NotebookError extends Error {}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** nbformat's multiline strings: a string or a list of lines. */
export function joinText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.filter((s) => typeof s === "string").join("");
  return "";
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A data: URL of a base64 image payload, or null when it is not clean base64. */
export function imageDataUrl(mime: "image/png" | "image/jpeg", payload: string): string | null {
  const b64 = payload.replace(/\s+/g, "");
  return b64 && BASE64.test(b64) ? `data:${mime};base64,${b64}` : null;
}

/** SVG text as a base64 data: URL: shown only through <img>, which never runs its scripts. */
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

// The richest representation the app can show safely wins, as Jupyter's own order does.
const PREFERRED = ["image/png", "image/jpeg", "image/svg+xml", "text/html", "text/markdown", "text/latex", "text/plain"];

function dimension(metadata: unknown, mime: string, key: "width" | "height"): number | null {
  const m = isObject(metadata) ? metadata[mime] : undefined;
  const v = isObject(m) ? m[key] : undefined;
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
}

/** The one representation shown of a display_data / execute_result bundle. */
export function selectOutput(data: unknown, metadata?: unknown): Output {
  const bundle = isObject(data) ? data : {};
  for (const mime of PREFERRED) {
    if (!(mime in bundle)) continue;
    const text = joinText(bundle[mime]);
    if (mime === "image/png" || mime === "image/jpeg") {
      const src = imageDataUrl(mime, text);
      if (src) return { kind: "image", mime, src, width: dimension(metadata, mime, "width"), height: dimension(metadata, mime, "height") };
    } else if (mime === "image/svg+xml") {
      if (text) return { kind: "image", mime, src: svgDataUrl(text), width: null, height: null };
    } else if (mime === "text/html") return { kind: "html", html: text };
    else if (mime === "text/markdown") return { kind: "markdown", text };
    else return { kind: "text", text: terminalText(text) };
  }
  return { kind: "unsupported", mimes: Object.keys(bundle) };
}

export function parseOutput(raw: unknown): Output | null {
  if (!isObject(raw)) return null;
  switch (raw.output_type) {
    case "stream":
      return { kind: "stream", name: typeof raw.name === "string" ? raw.name : "stdout", text: terminalText(joinText(raw.text)) };
    case "error": {
      const tb = Array.isArray(raw.traceback) ? raw.traceback.filter((l) => typeof l === "string").join("\n") : "";
      const ename = typeof raw.ename === "string" ? raw.ename : "Error";
      const evalue = typeof raw.evalue === "string" ? raw.evalue : "";
      return { kind: "error", ename, evalue, traceback: terminalText(tb || `${ename}: ${evalue}`) };
    }
    case "display_data":
    case "execute_result":
      return selectOutput(raw.data, raw.metadata);
    default:
      return null;
  }
}

function parseCell(raw: unknown): Cell | null {
  if (!isObject(raw)) return null;
  const type = raw.cell_type === "markdown" || raw.cell_type === "raw" ? raw.cell_type : raw.cell_type === "code" ? "code" : null;
  if (!type) return null;
  const attachments: Record<string, Record<string, string>> = {};
  if (isObject(raw.attachments))
    for (const [name, bundle] of Object.entries(raw.attachments))
      if (isObject(bundle)) attachments[name] = Object.fromEntries(Object.entries(bundle).map(([m, v]) => [m, joinText(v)]));
  const count = raw.execution_count;
  return {
    type,
    source: joinText(raw.source),
    executionCount: typeof count === "number" ? count : null,
    outputs: type === "code" && Array.isArray(raw.outputs) ? raw.outputs.map(parseOutput).filter((o): o is Output => o !== null) : [],
    attachments,
  };
}

/** The notebook in a .ipynb file's text; NotebookError when it is not one the app can show. */
export function parseNotebook(text: string): Notebook {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new NotebookError(`This checkpoint is not valid JSON, so it cannot be shown (${(e as Error).message}); download it instead.`);
  }
  if (!isObject(doc)) throw new NotebookError("This checkpoint is not a notebook (its JSON is not an object); download it instead.");
  if (!Array.isArray(doc.cells)) {
    const v = typeof doc.nbformat === "number" ? ` (nbformat ${doc.nbformat})` : "";
    throw new NotebookError(`This notebook has no cells list${v}; only nbformat 4 is shown. Convert it with "jupyter nbconvert --to notebook" or download it.`);
  }
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const spec = isObject(meta.kernelspec) ? meta.kernelspec : {};
  const lang = isObject(meta.language_info) ? meta.language_info : {};
  const str = (v: unknown) => (typeof v === "string" && v ? v : null);
  return {
    cells: doc.cells.map(parseCell).filter((c): c is Cell => c !== null),
    language: str(lang.name) ?? str(spec.language),
    kernel: str(spec.display_name) ?? str(spec.name),
  };
}
