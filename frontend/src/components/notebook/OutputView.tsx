// One output of a code cell: terminal text, an error's traceback, an image (a data: URL of
// PNG, JPEG or SVG through <img>, which runs no script), sandboxed HTML, Markdown or text.
import type { Output } from "../../lib/notebook/notebook";
import { HtmlFrame } from "./HtmlFrame";
import { Markdown } from "./Markdown";

// Past this a text output is cut (a runaway print loop would otherwise freeze the page).
const MAX_TEXT = 200_000;

function Text({ text, className, testId }: { text: string; className: string; testId: string }) {
  const cut = text.length > MAX_TEXT;
  return (
    <>
      <pre className={className} data-testid={testId}>
        {cut ? text.slice(0, MAX_TEXT) : text}
      </pre>
      {cut && <div className="muted">Only the first {MAX_TEXT.toLocaleString()} characters are shown; download the notebook for all of it.</div>}
    </>
  );
}

export function OutputView({ output }: { output: Output }) {
  switch (output.kind) {
    case "stream":
      return <Text text={output.text} className={`nb-text nb-stream-${output.name === "stderr" ? "stderr" : "stdout"}`} testId="nb-stream" />;
    case "error":
      return <Text text={output.traceback} className="nb-text nb-error" testId="nb-error" />;
    case "text":
      return <Text text={output.text} className="nb-text" testId="nb-text-output" />;
    case "image":
      return (
        <img
          className="nb-image"
          data-testid="nb-image"
          data-mime={output.mime}
          src={output.src}
          alt={`output (${output.mime})`}
          width={output.width ?? undefined}
          height={output.height ?? undefined}
        />
      );
    case "html":
      return <HtmlFrame html={output.html} />;
    case "markdown":
      return <Markdown text={output.text} testId="nb-markdown-output" />;
    case "unsupported":
      return <div className="muted nb-unsupported">An output of a kind the app does not show ({output.mimes.join(", ") || "empty"}).</div>;
  }
}
