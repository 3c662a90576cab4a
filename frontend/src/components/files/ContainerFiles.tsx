// The files of one container that is not a run (the project's metadata, a model, a model
// version): each file, file set, artifact or image series field, opened in the same preview
// a run's files get (components/run: FilePreview, FileSetView and Gallery, used as they are).
import { useState } from "react";
import type { FieldValue, FileRef, SeriesSummary } from "../../api/fields";
import { fieldSummary } from "../../lib/format";
import { downloadName } from "../run/fieldFormat";
import { DownloadLink, FilePreview } from "../run/FilePreview";
import { FileSetView } from "../run/FileSetView";
import { Gallery } from "../run/Gallery";
import "../run/run.css";

export const FILE_TYPES = new Set(["file", "file_set", "artifact", "file_series"]);

/** The fields that hold files, by path. */
export function fileFields(fields: FieldValue[]): FieldValue[] {
  return fields.filter((f) => FILE_TYPES.has(f.type)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function Preview({ uuid, field }: { uuid: string; field: FieldValue }) {
  switch (field.type) {
    case "file": {
      const ref = field.value as FileRef;
      return <FilePreview file={ref} path={field.path} filename={downloadName(field.path, ref.extension)} />;
    }
    case "file_set":
    case "artifact":
      return <FileSetView uuid={uuid} path={field.path} hash={(field.value as { hash?: string } | null)?.hash} />;
    case "file_series":
      return <Gallery uuid={uuid} path={field.path} count={(field.value as SeriesSummary | null)?.count ?? 0} />;
    default:
      return null;
  }
}

export function ContainerFiles({ uuid, fields, testId = "container-files" }: { uuid: string; fields: FieldValue[]; testId?: string }) {
  const files = fileFields(fields);
  const [open, setOpen] = useState<string | null>(null);
  if (!files.length) return null;
  const opened = files.find((f) => f.path === open);
  return (
    <section className="container-files" data-testid={testId}>
      <table className="fields-table">
        <thead>
          <tr>
            <th>File field</th>
            <th>Type</th>
            <th>What</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {files.map((f) => {
            const ref = f.type === "file" ? (f.value as FileRef | null) : null;
            return (
              <tr key={f.path} data-testid="file-field" data-path={f.path} className={f.path === open ? "open" : undefined}>
                <td className="path">
                  <button
                    type="button"
                    className="link"
                    data-testid="file-field-open"
                    aria-expanded={f.path === open}
                    onClick={() => setOpen(f.path === open ? null : f.path)}
                  >
                    {f.path}
                  </button>
                </td>
                <td className="type">{f.type.replace(/_/g, " ")}</td>
                <td>{fieldSummary(f.type, f.value, f.path)}</td>
                <td>{ref?.hash && <DownloadLink hash={ref.hash} filename={downloadName(f.path, ref.extension)} />}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {opened && (
        <div className="field-detail" data-testid="file-field-detail" data-path={opened.path}>
          <h3 className="detail-title">
            {opened.path} <span className="muted">{opened.type.replace(/_/g, " ")}</span>
          </h3>
          <Preview key={opened.path} uuid={uuid} field={opened} />
        </div>
      )}
    </section>
  );
}
