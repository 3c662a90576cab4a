// The runs of one group (the table's filter AND the group's), first page only: a link to
// each run and the shown columns.
import { useEffect, useState } from "react";
import { fetchTable, type TableAnswer } from "../../api/tables";
import type { ProjectRef } from "../../api/types";
import { formatHash } from "../../lib/router";
import { CellValue } from "../grid/Cell";

export const GROUP_RUNS = 100;

export function GroupRuns(p: { project: ProjectRef; filter: string; trashed: boolean; columns: string[]; types: Record<string, string> }) {
  const [answer, setAnswer] = useState<TableAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = [p.project.workspace, p.project.name, p.filter, p.trashed, p.columns.join("\u0000")].join("\u0001");
  useEffect(() => {
    const ctl = new AbortController();
    fetchTable(p.project, "run", { filter: p.filter, columns: p.columns, trashed: p.trashed, limit: GROUP_RUNS }, ctl.signal).then(
      (a) => !ctl.signal.aborted && setAnswer(a),
      (e) => !ctl.signal.aborted && setError((e as Error).message),
    );
    return () => ctl.abort();
  }, [key]);
  if (error) return <div className="banner error">{error}</div>;
  if (!answer) return <div className="muted">Loading runs…</div>;
  const idAt = answer.columns.indexOf("sys/id");
  return (
    <div className="group-runs">
      <table data-testid="group-runs">
        <thead>
          <tr>
            {answer.columns.map((c) => (
              <th key={c} title={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {answer.rows.map((row, r) => (
            <tr key={String(row[idAt] ?? r)} data-testid="group-run">
              {answer.columns.map((c, i) => (
                <td key={c}>
                  {c === "sys/id" ? (
                    <a href={formatHash(["p", p.project.workspace, p.project.name, "runs", String(row[i])])}>{String(row[i])}</a>
                  ) : (
                    <CellValue value={row[i]} type={answer.types[c] ?? p.types[c]} path={c} />
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {(answer.total ?? 0) > answer.rows.length && (
        <div className="muted">
          First {answer.rows.length} of {answer.total} runs: filter the table by this group to see them all.
        </div>
      )}
    </div>
  );
}
