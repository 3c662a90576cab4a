// A file set or artifact: its files with sizes and hashes; a file opens in a preview. An
// artifact's files are tracked by hash where they live (a path, s3://...) and never uploaded:
// they are listed with their location and size, and no blob is asked for.
import { useState } from "react";
import { fileEntries, type FileEntry } from "../../api/fields";
import { formatBytes } from "./fieldFormat";
import { DownloadLink, FilePreview, TrackedFile } from "./FilePreview";
import { useAsync } from "./useAsync";

/** A location (a long path, an s3:// URL) wraps inside the panel rather than running past it. */
const WRAP = { whiteSpace: "normal", overflowWrap: "anywhere", maxWidth: "48ch" } as const;

export function FileSetView(props: { uuid: string; path: string; hash?: string; refresh?: number; tracked?: boolean }) {
  const { uuid, path, hash, refresh = 0, tracked = false } = props;
  const res = useAsync((signal) => fileEntries(uuid, path, signal), `${uuid}/${path}/${refresh}`);
  const [open, setOpen] = useState<FileEntry | null>(null);
  if (res.error) return <div className="error">{res.error}</div>;
  if (!res.data) return <div className="muted">loading…</div>;
  const total = res.data.reduce((n, e) => n + e.size, 0);
  return (
    <div className="file-set" data-testid="file-set">
      <div className="muted">
        {res.data.length} files, {formatBytes(total)}
        {hash ? `, hash ${hash}` : ""}
        {tracked && ", tracked only (not uploaded: the files stay at their locations)"}
      </div>
      <table className="file-list">
        <thead>
          <tr>
            <th>path</th>
            <th>size</th>
            <th>sha256</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {res.data.map((e) => (
            <tr key={e.path} data-testid="file-entry">
              <td>
                <button type="button" className="link" onClick={() => setOpen(e)}>
                  {e.path}
                </button>
                {e.location && (
                  <div className="muted file-location" title={e.location} style={WRAP}>
                    {e.location}
                  </div>
                )}
              </td>
              <td>{formatBytes(e.size)}</td>
              <td className="hash" title={e.hash}>
                {e.hash ? e.hash.slice(0, 16) + "…" : ""}
              </td>
              <td>
                {tracked ? (
                  <span className="muted tracked-badge" data-testid="tracked-only">
                    tracked
                  </span>
                ) : (
                  e.hash && <DownloadLink hash={e.hash} filename={e.path.split("/").pop() || "file"} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && tracked && <TrackedFile entry={open} />}
      {open && !tracked && open.hash && (
        <FilePreview
          file={{ hash: open.hash, size: open.size, extension: "" }}
          path={open.path}
          filename={open.path.split("/").pop() || "file"}
        />
      )}
    </div>
  );
}
