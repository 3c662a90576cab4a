// Options shared by the charts of a page: x axis, value per bucket, smoothing, log scales.
import type { ChartOptions } from "../../lib/series";

export function ChartToolbar({ options, onChange }: { options: ChartOptions; onChange: (o: ChartOptions) => void }) {
  const set = (patch: Partial<ChartOptions>) => onChange({ ...options, ...patch });
  return (
    <div className="chart-toolbar" data-testid="chart-toolbar">
      <label>
        x{" "}
        <select data-testid="chart-x" value={options.xKind} onChange={(e) => set({ xKind: e.target.value as ChartOptions["xKind"] })}>
          <option value="step">step</option>
          <option value="time">time</option>
          <option value="relative">relative time</option>
        </select>
      </label>
      <label>
        value{" "}
        <select data-testid="chart-value" value={options.value} onChange={(e) => set({ value: e.target.value as ChartOptions["value"] })}>
          <option value="mean">mean</option>
          <option value="last">last</option>
        </select>
      </label>
      <label>
        smoothing{" "}
        <input
          data-testid="chart-smoothing"
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={options.smoothing}
          onChange={(e) => set({ smoothing: Number(e.target.value) })}
        />
        <span className="muted">{options.smoothing.toFixed(2)}</span>
      </label>
      <label>
        <input data-testid="chart-logx" type="checkbox" checked={options.logX} onChange={(e) => set({ logX: e.target.checked })} /> log x
      </label>
      <label>
        <input data-testid="chart-logy" type="checkbox" checked={options.logY} onChange={(e) => set({ logY: e.target.checked })} /> log y
      </label>
    </div>
  );
}
