// A file set or artifact: its files with sizes and hashes; a file opens in a preview.
import { useState } from "react";
import { fileEntries, type FileEntry } from "../../api/fields";
import { formatBytes } from "./fieldFormat";
import { DownloadLink, FilePreview } from "./FilePreview";
import { useAsync } from "./useAsync";

export function FileSetView({ uuid, path, hash, refresh = 0 }: { uuid: string; path: string; hash?: string; refresh?: number }) {
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
                {e.location && <div className="muted">{e.location}</div>}
              </td>
              <td>{formatBytes(e.size)}</td>
              <td className="hash" title={e.hash}>
                {e.hash ? e.hash.slice(0, 16) + "…" : ""}
              </td>
              <td>{e.hash && <DownloadLink hash={e.hash} filename={e.path.split("/").pop() || "file"} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && open.hash && (
        <FilePreview
          file={{ hash: open.hash, size: open.size, extension: "" }}
          path={open.path}
          filename={open.path.split("/").pop() || "file"}
        />
      )}
    </div>
  );
}
