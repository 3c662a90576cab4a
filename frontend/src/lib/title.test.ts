import { renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { pageTitle, projectName, useTitle } from "./title";

describe("title", () => {
  it("joins the parts, most specific first, ending with the app", () => {
    expect(pageTitle("runs", projectName({ workspace: "team", name: "vision" }))).toBe("runs · team/vision · despina");
    expect(pageTitle()).toBe("despina");
    expect(pageTitle("", null, undefined, "  ", "login")).toBe("login · despina");
  });

  it("the hook sets document.title and follows changes", () => {
    const { rerender } = renderHook(({ p }) => useTitle(p, "team/x"), { initialProps: { p: "RUN-1" } });
    expect(document.title).toBe("RUN-1 · team/x · despina");
    rerender({ p: "<b>RUN-2</b>" });
    expect(document.title).toBe("<b>RUN-2</b> · team/x · despina");
  });
});
