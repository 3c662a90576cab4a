// The code that ran: entry point, git state, the uncommitted diff, source files, requirements.
import type { FileRef } from "../../api/fields";
import { formatHash } from "../../lib/router";
import type { RunContext } from "./FieldDetail";
import { downloadName } from "./fieldFormat";
import { FilePreview } from "./FilePreview";
import { FileSetView } from "./FileSetView";
import { GitInfo } from "./GitInfo";

export function SourceTab({ ctx }: { ctx: RunContext }) {
  const v = (p: string) => ctx.values.get(p);
  const entry = v("source_code/entrypoint");
  const git = v("source_code/git");
  const diff = v("source_code/diff");
  const req = v("source_code/requirements");
  const hasFiles = ctx.structure["source_code/files"] === "file_set";
  const notebookId = v("source_code/notebook/notebook_id")?.value;
  const checkpointId = v("source_code/notebook/checkpoint_id")?.value;
  const notebookPath = v("source_code/notebook/path")?.value;
  const checkpoint = notebookId != null && checkpointId != null;
  if (!entry && !git && !diff && !req && !hasFiles && !checkpoint) return <div className="muted">This run recorded no source code.</div>;
  return (
    <div className="source-tab" data-testid="source-tab">
      {entry && (
        <p>
          Entry point: <code>{String(entry.value)}</code>
        </p>
      )}
      {checkpoint && (
        <p data-testid="run-notebook-checkpoint">
          Started from notebook <code>{String(notebookPath ?? "")}</code>:{" "}
          <a
            href={formatHash([
              "p",
              ctx.project.workspace,
              ctx.project.name,
              "notebooks",
              String(notebookId),
              "checkpoints",
              String(checkpointId),
            ])}
          >
            checkpoint {String(checkpointId)}
          </a>
        </p>
      )}
      {git && (
        <section>
          <h3>Git</h3>
          <GitInfo value={git.value as Record<string, unknown>} />
        </section>
      )}
      {diff && diff.type === "file" && (
        <section>
          <h3>Uncommitted changes</h3>
          <FilePreview file={diff.value as FileRef} path="source_code/diff" filename={downloadName("source_code/diff", (diff.value as FileRef).extension)} />
        </section>
      )}
      {hasFiles && (
        <section>
          <h3>Source files</h3>
          <FileSetView uuid={ctx.uuid} path="source_code/files" />
        </section>
      )}
      {req && req.type === "file" && (
        <section>
          <h3>Requirements</h3>
          <FilePreview
            file={{ ...(req.value as FileRef), extension: (req.value as FileRef).extension || "txt" }}
            path="source_code/requirements"
            filename={downloadName("source_code/requirements", (req.value as FileRef).extension || "txt")}
          />
        </section>
      )}
    </div>
  );
}
