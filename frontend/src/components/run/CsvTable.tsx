import { parseCsv } from "../../lib/csv";

export function CsvTable({ text, truncatedFile }: { text: string; truncatedFile: boolean }) {
  const { rows, truncated } = parseCsv(text, 500);
  const [head, ...body] = rows;
  return (
    <div className="csv-preview" data-testid="csv-preview">
      <table>
        {head && (
          <thead>
            <tr>
              {head.map((c, i) => (
                <th key={i}>{c}</th>
              ))}
            </tr>
          </thead>
        )}
        <tbody>
          {body.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {(truncated || truncatedFile) && <div className="muted">Only the first rows are shown; download the file for all of it.</div>}
    </div>
  );
}
