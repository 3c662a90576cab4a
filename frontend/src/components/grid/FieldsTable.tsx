// Every field of one container (a model, the project) as a plain table: path, type, value.
import type { FieldValue } from "../../api/fields";
import { fieldSummary } from "../../lib/format";
import { CellValue } from "./Cell";

export function FieldsTable({ fields, testId }: { fields: FieldValue[]; testId?: string }) {
  const sorted = [...fields].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return (
    <table className="fields-table" data-testid={testId ?? "fields-table"}>
      <thead>
        <tr>
          <th>Field</th>
          <th>Type</th>
          <th>Value</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((f) => (
          <tr key={f.path} data-testid="field-row" data-path={f.path}>
            <td className="path">{f.path}</td>
            <td className="type">{f.type.replace(/_/g, " ")}</td>
            <td>{f.type === "string_set" ? <CellValue value={f.value} type={f.type} path={f.path} /> : fieldSummary(f.type, f.value, f.path)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
