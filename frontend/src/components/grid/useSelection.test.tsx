import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { seenValues } from "./useProjectFields";
import { rangeIds, useSelection } from "./useSelection";

const rows = Array.from({ length: 10 }, (_, i) => ({ "sys/id": `R-${i}`, "sys/tags": i % 2 ? ["odd", "x"] : ["even"] }));
const get = (i: number) => (i === 4 ? undefined : rows[i]); // row 4 not loaded yet

describe("selection", () => {
  it("a range takes the loaded rows between two clicks, either way round", () => {
    expect(rangeIds(get, 6, 2)).toEqual(["R-2", "R-3", "R-5", "R-6"]);
  });

  it("click toggles one row, shift-click extends from the last click", () => {
    const { result } = renderHook(() => useSelection(get, () => rows, rows.length));
    act(() => result.current.grid.toggle(1, rows[1], false));
    act(() => result.current.grid.toggle(3, rows[3], true));
    expect([...result.current.selected].sort()).toEqual(["R-1", "R-2", "R-3"]);
    expect(result.current.grid.all).toBe("some");
    act(() => result.current.grid.toggle(2, rows[2], false));
    expect([...result.current.selected].sort()).toEqual(["R-1", "R-3"]);
    act(() => result.current.grid.toggleAll());
    expect(result.current.selected.size).toBe(0);
    act(() => result.current.grid.toggleAll());
    expect(result.current.selected.size).toBe(10);
    expect(result.current.grid.all).toBe("all");
  });

  it("gathers values seen for completion, set members included", () => {
    expect(seenValues(rows, "sys/tags")).toEqual(["even", "odd", "x"]);
    expect(seenValues(rows, "sys/id", 3)).toHaveLength(3);
  });
});
