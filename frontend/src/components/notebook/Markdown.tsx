// Markdown (lib/notebook/markdown.ts's tree) as React elements: every string is React text,
// links open outside the app, images are data: URLs the parser allowed. No HTML is ever
// parsed from the notebook.
import { useMemo, type ReactNode } from "react";
import { parseMarkdown, type Block, type ImageResolver, type Inline } from "../../lib/notebook/markdown";

function inlines(nodes: Inline[]): ReactNode[] {
  return nodes.map((n, i) => {
    switch (n.t) {
      case "text":
        return n.text;
      case "code":
        return <code key={i}>{n.text}</code>;
      case "strong":
        return <strong key={i}>{inlines(n.children)}</strong>;
      case "em":
        return <em key={i}>{inlines(n.children)}</em>;
      case "br":
        return <br key={i} />;
      case "link":
        return n.href.startsWith("#") ? (
          <span key={i} className="md-anchor">
            {inlines(n.children)}
          </span>
        ) : (
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer nofollow">
            {inlines(n.children)}
          </a>
        );
      case "image":
        return n.src ? (
          <img key={i} className="md-image" src={n.src} alt={n.alt} />
        ) : (
          <span key={i} className="md-missing-image muted" title="only embedded PNG and JPEG images are shown">
            [image: {n.alt}]
          </span>
        );
    }
  });
}

function blocks(nodes: Block[]): ReactNode[] {
  return nodes.map((b, i) => {
    switch (b.t) {
      case "heading": {
        const H = `h${b.level}` as "h1";
        return <H key={i}>{inlines(b.children)}</H>;
      }
      case "para":
        return <p key={i}>{inlines(b.children)}</p>;
      case "code":
        return (
          <pre key={i} className="md-code" data-lang={b.lang || undefined}>
            {b.text}
          </pre>
        );
      case "quote":
        return <blockquote key={i}>{blocks(b.blocks)}</blockquote>;
      case "hr":
        return <hr key={i} />;
      case "list": {
        // a tight item (one paragraph) shows as its text, without a <p>
        const items = b.items.map((item, k) => <li key={k}>{item.length === 1 && item[0].t === "para" ? inlines(item[0].children) : blocks(item)}</li>);
        return b.ordered ? (
          <ol key={i} start={b.start}>
            {items}
          </ol>
        ) : (
          <ul key={i}>{items}</ul>
        );
      }
      case "table":
        return (
          <table key={i} className="md-table">
            <thead>
              <tr>
                {b.header.map((c, k) => (
                  <th key={k} style={{ textAlign: b.align[k] ?? undefined }}>
                    {inlines(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {b.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((c, k) => (
                    <td key={k} style={{ textAlign: b.align[k] ?? undefined }}>
                      {inlines(c)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        );
    }
  });
}

export function Markdown({ text, resolve, testId }: { text: string; resolve?: ImageResolver; testId?: string }) {
  const tree = useMemo(() => parseMarkdown(text, resolve), [text, resolve]);
  return (
    <div className="markdown" data-testid={testId}>
      {blocks(tree)}
    </div>
  );
}
