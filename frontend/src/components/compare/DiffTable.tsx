// The runs side by side: one row per field, one column per run; by default only the fields
// whose values differ.
import { runColor } from "../chart/colors";
import type { DiffRow } from "./compareData";

export function DiffTable(props: { runs: { sysId: string; name: string }[]; rows: DiffRow[] }) {
  const { runs, rows } = props;
  return (
    <div className="diff-table-box">
      <table className="compare-table" data-testid="compare-table">
        <thead>
          <tr>
            <th>field</th>
            {runs.map((r, i) => (
              <th key={r.sysId}>
                <span className="swatch" style={{ background: runColor(i) }} /> {r.sysId}
                <div className="muted run-col-name">{r.name}</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.path} className={row.differs ? "differs" : undefined} data-testid="compare-row" data-path={row.path}>
              <th>{row.path}</th>
              {row.values.map((v, i) => (
                <td key={i}>{v}</td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={runs.length + 1} className="muted">
                No field differs between these runs.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
