// The grid draws a screenful of 100,000 rows, shows values as text, and reports header use.
import { act, cleanup, fireEvent, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CellValue } from "./Cell";
import { VirtualGrid, type GridColumn } from "./VirtualGrid";

afterEach(cleanup);

type Row = Record<string, unknown>;
const columns: GridColumn[] = Array.from({ length: 300 }, (_, i) => ({ path: i ? `c/${i}` : "sys/id", width: 100 }));
const getRow = (i: number): Row | undefined =>
  i % 2 ? undefined : { "sys/id": `R-${i}`, "c/1": '<img src=x onerror="window.__xss=1">', "c/2": ["<b>t</b>", "u"] };
const cell = (row: Row, c: GridColumn) => <CellValue value={row[c.path]} type={c.path === "c/2" ? "string_set" : "string"} path={c.path} />;

describe("VirtualGrid", () => {
  it("draws only the rows and columns in view", () => {
    const onRange = vi.fn();
    const { container } = render(<VirtualGrid<Row> columns={columns} rowCount={100_000} getRow={getRow} onRange={onRange} renderCell={cell} />);
    const rows = container.querySelectorAll("[data-testid=grid-row]");
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    const headers = container.querySelectorAll("[data-testid=column-header]");
    expect(headers.length).toBeLessThan(20);
    const [[start, end]] = onRange.mock.calls;
    expect(start).toBe(0);
    expect(end).toBe(rows.length - 5); // the overscan below is drawn, not asked for
    const sizer = container.querySelector(".grid-sizer") as HTMLElement;
    expect(sizer.style.height).toBe(`${32 + 100_000 * 28}px`);
  });

  it("keeps the first column on screen when scrolled sideways", async () => {
    const { container } = render(<VirtualGrid<Row> columns={columns} rowCount={100} getRow={getRow} renderCell={cell} />);
    const grid = container.querySelector(".grid") as HTMLElement;
    grid.scrollLeft = 100 * 150;
    fireEvent.scroll(grid);
    await act(() => new Promise((r) => setTimeout(r, 60)));
    const paths = Array.from(container.querySelectorAll("[data-testid=column-header]"), (h) => h.getAttribute("data-path"));
    expect(paths[0]).toBe("sys/id");
    expect(paths).toContain("c/150");
    expect(paths).not.toContain("c/1");
    expect(container.querySelector("[data-row='0'] .grid-pin [data-path='sys/id']")?.textContent).toBe("R-0");
  });

  it("marks rows still loading and shows values as text", () => {
    const { container } = render(<VirtualGrid<Row> columns={columns} rowCount={10} getRow={getRow} renderCell={cell} />);
    expect(container.querySelector("[data-row='1']")?.getAttribute("data-loaded")).toBe("0");
    const first = container.querySelector("[data-row='0']")!;
    expect(first.getAttribute("data-loaded")).toBe("1");
    expect(first.querySelector("img")).toBeNull();
    expect(first.textContent).toContain('<img src=x onerror="window.__xss=1">');
    expect(Array.from(first.querySelectorAll("[data-testid=chip]"), (c) => c.textContent)).toEqual(["<b>t</b>", "u"]);
    expect(first.querySelector("b")).toBeNull();
  });

  it("sorts, removes and reorders from the header", () => {
    const onSort = vi.fn();
    const onRemove = vi.fn();
    const onReorder = vi.fn();
    const { container } = render(
      <VirtualGrid<Row>
        columns={columns.slice(0, 4)}
        rowCount={1}
        getRow={getRow}
        renderCell={cell}
        onSort={onSort}
        onRemove={onRemove}
        onReorder={onReorder}
        sort={{ path: "c/1", ascending: true }}
      />,
    );
    const header = (p: string) => container.querySelector(`[data-testid=column-header][data-path='${p}']`)!;
    fireEvent.click(header("c/2").querySelector("[data-testid=sort-button]")!);
    expect(onSort).toHaveBeenCalledWith("c/2");
    expect(header("c/1").textContent).toContain("▲");
    expect(header("sys/id").querySelector("[data-testid=remove-column]")).toBeNull();
    fireEvent.click(header("c/3").querySelector("[data-testid=remove-column]")!);
    expect(onRemove).toHaveBeenCalledWith("c/3");
    const data = new Map<string, string>();
    const dataTransfer = {
      setData: (k: string, v: string) => data.set(k, v),
      getData: (k: string) => data.get(k) ?? "",
      get types() {
        return [...data.keys()];
      },
      effectAllowed: "",
    };
    fireEvent.dragStart(header("c/3"), { dataTransfer });
    fireEvent.drop(header("c/1"), { dataTransfer });
    expect(onReorder).toHaveBeenCalledWith(["sys/id", "c/3", "c/1", "c/2"]);
  });

  it("selects with the row boxes", () => {
    const toggle = vi.fn();
    const selection = { isSelected: (r: Row) => r["sys/id"] === "R-0", toggle, all: "some" as const, toggleAll: vi.fn() };
    const { container } = render(<VirtualGrid<Row> columns={columns.slice(0, 2)} rowCount={5} getRow={getRow} renderCell={cell} selection={selection} />);
    expect(container.querySelector("[data-row='0']")!.className).toContain("selected");
    fireEvent.click(container.querySelector("[data-row='2'] [data-testid=row-select]")!, { shiftKey: true });
    expect(toggle).toHaveBeenCalledWith(2, expect.objectContaining({ "sys/id": "R-2" }), true);
  });
});
