import { cleanup, fireEvent, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NqlBox } from "./NqlBox";

afterEach(cleanup);
const fields = [
  { path: "params/lr", type: "float" },
  { path: "params/opt", type: "string" },
];

function type(input: HTMLInputElement, text: string) {
  input.focus();
  input.setSelectionRange?.(text.length, text.length);
  fireEvent.change(input, { target: { value: text, selectionStart: text.length } });
}

describe("NqlBox", () => {
  it("suggests fields while typing and takes one with Enter, then offers operators", () => {
    const onApply = vi.fn();
    const { getByTestId, queryAllByTestId } = render(<NqlBox value="" fields={fields} onApply={onApply} />);
    const input = getByTestId("nql-input") as HTMLInputElement;
    type(input, "params/l");
    expect(queryAllByTestId("nql-suggestion").map((e) => e.textContent)).toEqual(["params/lrfloat"]);
    fireEvent.keyDown(input, { key: "Enter" });
    expect(input.value).toBe("`params/lr`:float ");
    expect(onApply).not.toHaveBeenCalled();
    expect(queryAllByTestId("nql-suggestion")[0].textContent).toBe("=float");
  });

  it("applies the query with Enter when no list is open", () => {
    const onApply = vi.fn();
    const { getByTestId, queryByTestId } = render(<NqlBox value="" fields={fields} onApply={onApply} />);
    const input = getByTestId("nql-input") as HTMLInputElement;
    type(input, 'params/opt = "adam"');
    expect(queryByTestId("nql-suggestions")).toBeNull();
    fireEvent.keyDown(input, { key: "Enter" });
    expect(onApply).toHaveBeenCalledWith('params/opt = "adam"');
  });

  it("shows the server's error with its position marked, as text", () => {
    const value = 'a:float = "<b>x</b>"';
    const { getByTestId } = render(
      <NqlBox value={value} fields={fields} onApply={() => {}} error={{ message: 'expected a number, found "<b>x</b>"', position: 10 }} />,
    );
    const error = getByTestId("nql-error");
    expect(error.textContent).toContain('expected a number, found "<b>x</b>"');
    expect(error.querySelector("b")).toBeNull();
    expect(getByTestId("nql-error-where").querySelector("mark")!.textContent).toBe('"');
  });
});
