import { describe, expect, it } from "vitest";
import { viewNameProblem } from "./views";

describe("viewNameProblem", () => {
  it("accepts names with spaces, quotes and markup", () => {
    expect(viewNameProblem('best "<b>runs<b>"')).toBeNull();
  });
  it("refuses what the server refuses, saying why", () => {
    expect(viewNameProblem("  ")).toMatch(/name/);
    expect(viewNameProblem("a/b")).toMatch(/'\/'/);
    expect(viewNameProblem("a\\b")).toMatch(/cannot/);
    expect(viewNameProblem("a\nb")).toMatch(/control/);
    expect(viewNameProblem("x".repeat(201))).toMatch(/200/);
  });
});
