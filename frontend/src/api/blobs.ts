// File bytes. The browser cannot send the token with <img src> or a download link, so the
// server signs a short-lived link (an hour); links are cached for half of that.
import { request, sendJSON } from "./client";

const LIFETIME_MS = 30 * 60 * 1000;
const links = new Map<string, { url: string; at: number }>();

/** A relative URL that serves the blob without the Authorization header, for about an hour. */
export async function blobLink(sha256: string, filename: string | null = null): Promise<string> {
  const key = `${sha256}\u0000${filename ?? ""}`;
  const hit = links.get(key);
  if (hit && Date.now() - hit.at < LIFETIME_MS) return hit.url;
  const body = await sendJSON<{ url: string }>("POST", `/blobs/${encodeURIComponent(sha256)}/link`, { filename });
  links.set(key, { url: body.url, at: Date.now() });
  return body.url;
}

export interface BlobText {
  text: string;
  /** true when the file is longer than what was read */
  truncated: boolean;
}

/** The first `maxBytes` of a blob as UTF-8 text (a Range request: big files are not read whole). */
export async function blobText(sha256: string, maxBytes = 2 * 1024 * 1024, signal?: AbortSignal): Promise<BlobText> {
  const res = await request(`/blobs/${encodeURIComponent(sha256)}`, {
    headers: { Range: `bytes=0-${maxBytes - 1}` },
    signal,
  });
  const buf = await res.arrayBuffer();
  const total = Number(res.headers.get("Content-Range")?.split("/")[1] ?? buf.byteLength);
  const bytes = new Uint8Array(buf, 0, Math.min(buf.byteLength, maxBytes));
  return { text: new TextDecoder().decode(bytes), truncated: total > bytes.byteLength };
}
