// The run's name, id, state, tags and owner, and the live switch.
import type { FieldValue } from "../../api/fields";
import { formatDatetime } from "../../lib/format";

export function RunHeader(props: {
  sysId: string;
  values: Map<string, FieldValue>;
  live: boolean;
  running: boolean;
  onLive: (on: boolean) => void;
}) {
  const { sysId, values, live, running, onLive } = props;
  const get = (p: string) => values.get(p)?.value;
  const tags = (get("sys/tags") as string[] | undefined) ?? [];
  const created = get("sys/creation_time") as string | undefined;
  return (
    <div className="run-header" data-testid="run-header">
      <h2 className="run-name" data-testid="run-name">
        {String(get("sys/name") ?? sysId)}
      </h2>
      <span className="run-id" data-testid="run-id">
        {sysId}
      </span>
      <span className={running ? "state running" : "state"} data-testid="run-state">
        {running ? "Active" : "Inactive"}
      </span>
      {get("sys/failed") === true && <span className="state failed">failed</span>}
      <span className="tags" data-testid="run-tags">
        {tags.map((t) => (
          <span key={t} className="tag">
            {t}
          </span>
        ))}
      </span>
      {get("sys/owner") !== undefined && <span className="muted">by {String(get("sys/owner"))}</span>}
      {created && <span className="muted">{formatDatetime(created)}</span>}
      <label className="live" title="While the run is running, re-read it every 2.5 s">
        <input data-testid="run-live" type="checkbox" checked={live} onChange={(e) => onLive(e.target.checked)} /> live
        {live && running && <span className="live-dot" data-testid="run-live-on" />}
      </label>
    </div>
  );
}
