// A notebook's HTML output (a DataFrame, a widget's fallback) in a frame with an empty sandbox:
// an opaque origin that runs no script, submits no form and opens no window. Its height is
// guessed from the markup, since the app cannot measure a document it has no access to; the
// source is one click away.
import { useState } from "react";

/** A frame height for some HTML: rows and lines counted, clamped to 60..600 px. */
export function guessHeight(html: string): number {
  const rows = (html.match(/<tr[\s>]/gi) ?? []).length;
  const breaks = (html.match(/<br\s*\/?>|<p[\s>]|<li[\s>]|<h[1-6][\s>]|<div[\s>]/gi) ?? []).length;
  const lines = html.split("\n").filter((l) => l.trim()).length;
  const estimate = 24 + 26 * rows + 20 * breaks + (rows || breaks ? 0 : 18 * Math.min(lines, 20));
  return Math.max(60, Math.min(600, estimate));
}

// Styles only for the frame's own document; the notebook's markup follows it.
const FRAME_STYLE = "<style>body{font:13px system-ui,sans-serif;margin:4px}table{border-collapse:collapse}td,th{border:1px solid #e3e6ec;padding:2px 6px}</style>";

export function HtmlFrame({ html }: { html: string }) {
  const [source, setSource] = useState(false);
  return (
    <div className="nb-html">
      <button type="button" className="nb-toggle" onClick={() => setSource((s) => !s)} data-testid="html-source-toggle">
        {source ? "rendered" : "source"}
      </button>
      {source ? (
        <pre className="nb-text">{html}</pre>
      ) : (
        <iframe
          className="nb-html-frame"
          data-testid="nb-html-output"
          sandbox=""
          srcDoc={FRAME_STYLE + html}
          title="HTML output"
          referrerPolicy="no-referrer"
          style={{ height: guessHeight(html) }}
        />
      )}
    </div>
  );
}
