// The runs table grouped: one row per group (its key, its number of runs, and an aggregate of
// each number column, computed by the server), sorted by the key or the count; a group opens
// into its runs (fetched with the group's filter) and a chart of its mean with a band.
import { useEffect, useState } from "react";
import { AGGREGATES, fetchGroups, type AggregateName, type GroupsAnswer, type WireGroup } from "../../api/groups";
import { queryError } from "../../api/tables";
import type { ProjectRef } from "../../api/types";
import { aggregatable, aggregateText, groupFilter, keyText } from "../../lib/groups";
import { GroupChart } from "./GroupChart";
import { GroupRuns } from "./GroupRuns";
import "./groups.css";

export interface GroupsTableProps {
  project: ProjectRef;
  filter: string;
  trashed: boolean;
  groupBy: string[];
  columns: string[];
  types: Record<string, string>;
  aggregate: string;
  onAggregate(name: AggregateName): void;
}

type Sort = { by: "key" | "count"; ascending: boolean };

export function GroupsTable(props: GroupsTableProps) {
  const { project, filter, trashed, groupBy, columns, types } = props;
  const aggregate = (AGGREGATES as string[]).includes(props.aggregate) ? (props.aggregate as AggregateName) : "mean";
  const numeric = columns.filter((c) => aggregatable(c, types[c]));
  const series = columns.filter((c) => types[c] === "float_series");
  const [sort, setSort] = useState<Sort>({ by: "key", ascending: true });
  const [answer, setAnswer] = useState<GroupsAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const key = [project.workspace, project.name, filter, trashed, groupBy.join("\u0000"), numeric.join("\u0000"), sort.by, sort.ascending].join("\u0001");

  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    fetchGroups(
      project,
      "run",
      { group_by: groupBy, columns: numeric, filter: filter || undefined, trashed, sort_by: sort.by, ascending: sort.ascending, limit: 1000 },
      ctl.signal,
    ).then(
      (a) => !ctl.signal.aborted && setAnswer(a),
      (e) => {
        if (ctl.signal.aborted) return;
        const q = queryError(e);
        setError(q ? q.message : (e as Error).message);
        setAnswer(null);
      },
    );
    return () => ctl.abort();
  }, [key]);

  const toggle = (nql: string) =>
    setOpen((o) => {
      const next = new Set(o);
      if (next.has(nql)) next.delete(nql);
      else next.add(nql);
      return next;
    });
  const sortBy = (by: Sort["by"]) => setSort((s) => (s.by === by ? { by, ascending: !s.ascending } : { by, ascending: by === "key" }));
  const arrow = (by: Sort["by"]) => (sort.by === by ? (sort.ascending ? " ▲" : " ▼") : "");
  const span = groupBy.length + 2 + numeric.length;

  return (
    <div className="groups" data-testid="groups-table">
      <div className="groups-bar">
        <span data-testid="groups-total">
          {answer === null ? "…" : `${answer.total.toLocaleString()} group${answer.total === 1 ? "" : "s"}`}
          {answer && answer.total > answer.groups.length && ` (first ${answer.groups.length} shown)`}
        </span>
        <label>
          Aggregate
          <select data-testid="group-aggregate" value={aggregate} onChange={(e) => props.onAggregate(e.target.value as AggregateName)}>
            {AGGREGATES.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        {numeric.length === 0 && <span className="muted">Show number columns to see their aggregates.</span>}
      </div>
      {error && (
        <div className="banner error" role="alert" data-testid="groups-error">
          {error}
        </div>
      )}
      <table className="groups-grid">
        <thead>
          <tr>
            <th />
            {groupBy.map((g, i) => (
              <th key={g} title={g}>
                {i === 0 ? (
                  <button type="button" className="link" data-testid="group-sort-key" onClick={() => sortBy("key")}>
                    {g}
                    {arrow("key")}
                  </button>
                ) : (
                  g
                )}
              </th>
            ))}
            <th>
              <button type="button" className="link" data-testid="group-sort-count" onClick={() => sortBy("count")}>
                runs{arrow("count")}
              </button>
            </th>
            {numeric.map((c) => (
              <th key={c} title={`${aggregate} of ${c}`}>
                {aggregate}({c})
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {answer?.groups.map((g) => (
            <GroupRow
              key={g.nql}
              group={g}
              numeric={numeric}
              aggregate={aggregate}
              open={open.has(g.nql)}
              onToggle={() => toggle(g.nql)}
              span={span}
              detail={
                <>
                  {series.length > 0 && <GroupChart project={project} filter={groupFilter(filter, g.nql)} trashed={trashed} series={series} />}
                  <GroupRuns project={project} filter={groupFilter(filter, g.nql)} trashed={trashed} columns={columns} types={types} />
                </>
              }
            />
          ))}
          {answer && answer.groups.length === 0 && (
            <tr>
              <td colSpan={span} className="muted">
                No runs match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function GroupRow(p: {
  group: WireGroup;
  numeric: string[];
  aggregate: AggregateName;
  open: boolean;
  onToggle(): void;
  span: number;
  detail: React.ReactNode;
}) {
  const { group: g } = p;
  return (
    <>
      <tr data-testid="group-row" data-count={g.count}>
        <td>
          <button type="button" className="group-toggle" data-testid="group-toggle" aria-expanded={p.open} onClick={p.onToggle}>
            {p.open ? "▾" : "▸"}
          </button>
        </td>
        {g.key.map((v, i) => (
          <td key={i} data-testid="group-key" className={v === null ? "muted" : undefined}>
            {keyText(v, g.types[i])}
          </td>
        ))}
        <td data-testid="group-count" className="num">
          {g.count.toLocaleString()}
        </td>
        {p.numeric.map((c) => {
          const a = g.aggregates[c];
          const all = a ? AGGREGATES.map((n) => `${n} ${aggregateText(a[n])}`).join(", ") + ` (${a.count} values)` : "";
          return (
            <td
              key={c}
              className="num"
              data-testid="group-agg"
              data-column={c}
              data-mean={String(a?.mean ?? "")}
              data-min={String(a?.min ?? "")}
              data-max={String(a?.max ?? "")}
              data-std={String(a?.std ?? "")}
              data-values={a?.count ?? 0}
              title={all}
            >
              {a ? aggregateText(a[p.aggregate]) : "–"}
            </td>
          );
        })}
      </tr>
      {p.open && (
        <tr className="group-detail" data-testid="group-detail">
          <td colSpan={p.span}>{p.detail}</td>
        </tr>
      )}
    </>
  );
}
