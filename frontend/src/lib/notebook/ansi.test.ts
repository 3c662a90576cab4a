import { describe, expect, it } from "vitest";
import { stripAnsi, terminalText } from "./ansi";

describe("stripAnsi", () => {
  it("removes colours, cursor moves and OSC titles", () => {
    expect(stripAnsi("\u001b[0;31mValueError\u001b[0m: bad")).toBe("ValueError: bad");
    expect(stripAnsi("a\u001b[2Kb\u001b[1;32;40mc")).toBe("abc");
    expect(stripAnsi("\u001b]0;title\u0007text")).toBe("text");
    expect(stripAnsi("\u009b31mred")).toBe("red");
  });
  it("keeps plain text, including brackets", () => {
    expect(stripAnsi("x[0] = [1m]")).toBe("x[0] = [1m]");
  });
});

describe("terminalText", () => {
  it("shows the last state of a line rewritten with carriage returns", () => {
    expect(terminalText("10%\r50%\r100%\ndone")).toBe("100%\ndone");
    expect(terminalText("a\r\nb")).toBe("a\nb");
    expect(terminalText("progress 3/3\r")).toBe("progress 3/3");
  });
});
