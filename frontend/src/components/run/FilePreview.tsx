// One file: a preview by kind (image, text, CSV as a table, a diff coloured, HTML only in a
// sandboxed frame that can run no script) and a download link. Every name is React text.
import { blobLink, blobText } from "../../api/blobs";
import type { FileEntry, FileRef } from "../../api/fields";
import { CsvTable } from "./CsvTable";
import { DiffView } from "./DiffView";
import { formatBytes, previewKind } from "./fieldFormat";
import { useAsync } from "./useAsync";

export function DownloadLink({ hash, filename, label = "download" }: { hash: string; filename: string; label?: string }) {
  const link = useAsync((_s) => blobLink(hash, filename), `${hash}/${filename}`);
  if (link.error)
    return (
      <span className="error download-error" title={link.error}>
        unavailable
      </span>
    );
  if (!link.data) return <span className="muted">{label}</span>;
  return (
    <a className="download" data-testid="file-download" href={link.data} download={filename}>
      {label}
    </a>
  );
}

function TextPreview({ hash, kind }: { hash: string; kind: "text" | "csv" | "diff" | "html" }) {
  const res = useAsync((signal) => blobText(hash, 2 * 1024 * 1024, signal), hash);
  if (res.error) return <div className="error">{res.error}</div>;
  if (!res.data) return <div className="muted">loading…</div>;
  const { text, truncated } = res.data;
  if (kind === "html")
    return (
      <iframe
        className="html-preview"
        data-testid="html-preview"
        sandbox=""
        srcDoc={text}
        title="HTML preview"
        referrerPolicy="no-referrer"
      />
    );
  if (kind === "csv") return <CsvTable text={text} truncatedFile={truncated} />;
  return (
    <>
      {kind === "diff" ? (
        <DiffView text={text} />
      ) : (
        <pre className="text-preview" data-testid="text-preview">
          {text}
        </pre>
      )}
      {truncated && <div className="muted">Only the first 2 MB are shown; download the file for all of it.</div>}
    </>
  );
}

export function ImageView({ hash, filename, alt }: { hash: string; filename: string; alt: string }) {
  const link = useAsync((_s) => blobLink(hash, filename), `${hash}/${filename}`);
  if (link.error) return <div className="error">{link.error}</div>;
  if (!link.data) return <div className="image-placeholder muted">loading…</div>;
  return <img className="image-preview" data-testid="image-preview" src={link.data} alt={alt} />;
}

export function FilePreview({ file, path, filename }: { file: FileRef; path: string; filename: string }) {
  const kind = previewKind(file.extension, path);
  return (
    <div className="file-preview" data-testid="file-preview" data-kind={kind}>
      <div className="file-meta">
        <span className="file-name">{filename}</span>
        <span className="muted">{formatBytes(file.size)}</span>
        <span className="muted hash" title={file.hash}>
          sha256 {file.hash.slice(0, 12)}…
        </span>
        <DownloadLink hash={file.hash} filename={filename} />
      </div>
      {kind === "image" && <ImageView hash={file.hash} filename={filename} alt={filename} />}
      {kind !== "image" && kind !== "none" && <TextPreview hash={file.hash} kind={kind} />}
      {kind === "none" && <div className="muted">No preview for this kind of file.</div>}
    </div>
  );
}

/** A file an artifact tracks but never uploaded: where it lives, its size and hash; its bytes
 * are not in the store, so nothing is fetched. */
export function TrackedFile({ entry }: { entry: FileEntry }) {
  return (
    <div className="file-preview tracked-file" data-testid="tracked-file">
      <div className="file-meta">
        <span className="file-name">{entry.path}</span>
        <span className="muted">{formatBytes(entry.size)}</span>
        {entry.hash && (
          <span className="muted hash" title={entry.hash}>
            sha256 {entry.hash.slice(0, 12)}…
          </span>
        )}
      </div>
      <div className="muted">
        Tracked only: the file was not uploaded. It lives at{" "}
        <span className="file-location" style={{ overflowWrap: "anywhere" }}>{entry.location || "an unknown location"}</span>.
      </div>
    </div>
  );
}
