// The git state a run recorded (source_code/git): commit, branch, author, remotes.
import { formatDatetime } from "../../lib/format";

export function GitInfo({ value }: { value: Record<string, unknown> }) {
  const rows: [string, string][] = [
    ["commit", String(value.commit_id ?? "")],
    ["branch", String(value.branch ?? "")],
    ["author", `${value.author ?? ""}${value.author_email ? ` <${value.author_email}>` : ""}`],
    ["date", value.commit_date ? formatDatetime(value.commit_date as string) : ""],
    ["dirty", value.dirty ? "yes (uncommitted changes)" : "no"],
    ["repository", String(value.repository_path ?? "")],
  ];
  const remotes = Array.isArray(value.remotes) ? (value.remotes as unknown[]).map(String) : [];
  return (
    <div className="git-info" data-testid="git-info">
      <table className="kv">
        <tbody>
          {rows
            .filter(([, v]) => v)
            .map(([k, v]) => (
              <tr key={k}>
                <th>{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          {remotes.length > 0 && (
            <tr>
              <th>remotes</th>
              <td>
                {remotes.map((r) => (
                  <div key={r}>{r}</div>
                ))}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {typeof value.message === "string" && <pre className="git-message">{value.message}</pre>}
    </div>
  );
}
