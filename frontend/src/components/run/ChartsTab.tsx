// Every float series of the run (monitoring aside) as a grid, narrowed by a filter text.
import { useMemo } from "react";
import type { ChartOptions } from "../../lib/series";
import { ChartGrid } from "../chart/ChartGrid";
import type { RunContext } from "./FieldDetail";
import { pathsOfType } from "./fieldTree";

export function ChartsTab({ ctx, filter, onFilter }: { ctx: RunContext; filter: string; onFilter: (f: string) => void; options?: ChartOptions }) {
  const paths = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return pathsOfType(ctx.structure, "float_series").filter(
      (p) => !p.startsWith("monitoring/") && (q === "" || p.toLowerCase().includes(q)),
    );
  }, [ctx.structure, filter]);
  return (
    <div className="charts-tab">
      <input
        className="charts-filter"
        data-testid="charts-filter"
        placeholder="Filter series, e.g. train/"
        value={filter}
        onChange={(e) => onFilter(e.target.value)}
      />
      <ChartGrid
        project={ctx.project}
        uuids={[ctx.uuid]}
        names={{ [ctx.uuid]: ctx.name }}
        paths={paths}
        options={ctx.options}
        refresh={ctx.refresh}
      />
    </div>
  );
}
