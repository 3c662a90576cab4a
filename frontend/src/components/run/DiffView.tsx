// A unified diff as text, each line coloured by its first character.
export function diffLineClass(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---") || line.startsWith("diff ") || line.startsWith("index ")) return "diff-head";
  if (line.startsWith("@@")) return "diff-hunk";
  if (line.startsWith("+")) return "diff-add";
  if (line.startsWith("-")) return "diff-del";
  return "";
}

export function DiffView({ text }: { text: string }) {
  const lines = text.split("\n");
  return (
    <pre className="diff-view" data-testid="diff-view">
      {lines.map((l, i) => (
        <div key={i} className={diffLineClass(l)}>
          {l || " "}
        </div>
      ))}
    </pre>
  );
}
