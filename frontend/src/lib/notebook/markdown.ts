// A small Markdown subset parsed into a tree that components/notebook/Markdown.tsx turns into
// React elements: headings, paragraphs, emphasis, code, fenced and indented code blocks,
// lists, block quotes, rules, pipe tables, links and images. Raw HTML is not interpreted: it
// stays text. Links keep only http(s), mailto and in-page anchors; images only data: URLs of
// PNG/JPEG (a cell's attachments included), everything else shows as its alt text.

export type Inline =
  | { t: "text"; text: string }
  | { t: "code"; text: string }
  | { t: "strong"; children: Inline[] }
  | { t: "em"; children: Inline[] }
  | { t: "link"; href: string; children: Inline[] }
  | { t: "image"; src: string | null; alt: string }
  | { t: "br" };

export type Align = "left" | "center" | "right" | null;

export type Block =
  | { t: "heading"; level: number; children: Inline[] }
  | { t: "para"; children: Inline[] }
  | { t: "code"; lang: string; text: string }
  | { t: "quote"; blocks: Block[] }
  | { t: "list"; ordered: boolean; start: number; items: Block[][] }
  | { t: "hr" }
  | { t: "table"; align: Align[]; header: Inline[][]; rows: Inline[][][] };

/** Resolves an image source ("attachment:x.png", "data:...") to a data: URL, or null. */
export type ImageResolver = (src: string) => string | null;

const MAX_DEPTH = 16;
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*(.*)$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const HR = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)(.*)$/;
const TABLE_SEP = /^ *\|? *:?-+:? *(\| *:?-+:? *)*\|? *$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;

export function safeHref(url: string): string | null {
  const u = url.trim();
  return /^(https?:|mailto:)/i.test(u) || u.startsWith("#") ? u : null;
}

/** Only PNG/JPEG base64 data URLs are shown; attachments resolve through `resolve`. */
export function defaultImage(src: string): string | null {
  return /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$/.test(src) ? src : null;
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || HR.test(line) || QUOTE.test(line) || ITEM.test(line);
}

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

function indentOf(line: string): number {
  return /^ */.exec(line.replace(/\t/g, "    "))![0].length;
}

export function parseMarkdown(text: string, resolve: ImageResolver = defaultImage): Block[] {
  return parseBlocks(text.replace(/\r\n?/g, "\n").split("\n"), resolve, 0);
}

function parseBlocks(lines: string[], resolve: ImageResolver, depth: number): Block[] {
  const blocks: Block[] = [];
  const inline = (s: string) => parseInline(s, resolve);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = FENCE.exec(line))) {
      const fence = m[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i].trim().startsWith(fence[0].repeat(fence.length)) && lines[i].trim().replace(new RegExp(`^\\${fence[0]}+`), "").trim() === "")) body.push(lines[i++]);
      i++;
      blocks.push({ t: "code", lang: m[2].trim().split(/\s/)[0] ?? "", text: body.join("\n") });
    } else if ((m = HEADING.exec(line))) {
      blocks.push({ t: "heading", level: m[1].length, children: inline(m[2] ?? "") });
      i++;
    } else if (HR.test(line)) {
      blocks.push({ t: "hr" });
      i++;
    } else if (QUOTE.test(line) && depth < MAX_DEPTH) {
      const body: string[] = [];
      while (i < lines.length && lines[i].trim() !== "" && (QUOTE.test(lines[i]) || !startsBlock(lines[i]))) body.push(lines[i++].replace(QUOTE, ""));
      blocks.push({ t: "quote", blocks: parseBlocks(body, resolve, depth + 1) });
    } else if ((m = ITEM.exec(line)) && depth < MAX_DEPTH) {
      const ordered = /\d/.test(m[2]);
      const start = ordered ? parseInt(m[2], 10) : 1;
      const items: Block[][] = [];
      while (i < lines.length && (m = ITEM.exec(lines[i])) && /\d/.test(m[2]) === ordered) {
        const width = m[1].length + m[2].length + Math.max(1, Math.min(m[3].length, 4));
        const body = [m[4]];
        i++;
        while (i < lines.length) {
          const next = lines[i];
          if (next.trim() === "") {
            // a blank line continues the item only when indented content follows
            if (i + 1 < lines.length && lines[i + 1].trim() !== "" && indentOf(lines[i + 1]) >= width) {
              body.push("");
              i++;
              continue;
            }
            break;
          }
          if (indentOf(next) >= Math.min(width, 2)) body.push(next.replace(/\t/g, "    ").slice(Math.min(width, indentOf(next))));
          else if (!startsBlock(next)) body.push(next);
          else break;
          i++;
        }
        items.push(parseBlocks(body, resolve, depth + 1));
        if (i < lines.length && lines[i].trim() === "" && i + 1 < lines.length && ITEM.test(lines[i + 1])) i++;
      }
      blocks.push({ t: "list", ordered, start, items });
    } else if (/^( {4}|\t)/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && (/^( {4}|\t)/.test(lines[i]) || lines[i].trim() === "")) body.push(lines[i++].replace(/^( {4}|\t)/, ""));
      while (body.length && body[body.length - 1].trim() === "") body.pop();
      blocks.push({ t: "code", lang: "", text: body.join("\n") });
    } else if (line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes("-")) {
      const header = splitRow(line);
      const align: Align[] = splitRow(lines[i + 1]).map((c) => (c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : c.startsWith(":") ? "left" : null));
      i += 2;
      const rows: Inline[][][] = [];
      while (i < lines.length && lines[i].trim() !== "" && lines[i].includes("|")) {
        const cells = splitRow(lines[i++]);
        rows.push(header.map((_, k) => inline(cells[k] ?? "")));
      }
      blocks.push({ t: "table", align: header.map((_, k) => align[k] ?? null), header: header.map(inline), rows });
    } else {
      const body: string[] = [line];
      i++;
      let level = 0;
      while (i < lines.length && lines[i].trim() !== "" && !startsBlock(lines[i])) {
        if ((m = SETEXT.exec(lines[i]))) {
          level = m[1][0] === "=" ? 1 : 2;
          i++;
          break;
        }
        body.push(lines[i++]);
      }
      // "---" under a paragraph is a setext heading, not a rule
      if (!level && i < lines.length && /^ {0,3}-+[ \t]*$/.test(lines[i])) {
        level = 2;
        i++;
      }
      const children = inline(body.map((l) => l.replace(/^ +/, "")).join("\n"));
      blocks.push(level ? { t: "heading", level, children } : { t: "para", children });
    }
  }
  return blocks;
}

/** Index of the `]` closing the `[` at `open`, or -1. */
function closingBracket(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === "[") depth++;
    else if (s[j] === "]" && --depth === 0) return j;
  }
  return -1;
}

/** [text](url "title") at `open`: the text, the url and the index after it. */
function linkAt(s: string, open: number): { text: string; url: string; end: number } | null {
  const close = closingBracket(s, open);
  if (close < 0 || s[close + 1] !== "(") return null;
  let depth = 0;
  for (let j = close + 1; j < s.length; j++) {
    if (s[j] === "(") depth++;
    else if (s[j] === ")" && --depth === 0) {
      const target = s.slice(close + 2, j).trim();
      const url = target.startsWith("<") ? target.slice(1, target.indexOf(">") > 0 ? target.indexOf(">") : undefined) : target.split(/\s+/)[0] ?? "";
      return { text: s.slice(open + 1, close), url, end: j + 1 };
    }
  }
  return null;
}

const WORD = /[\p{L}\p{N}]/u;

export function parseInline(s: string, resolve: ImageResolver = defaultImage, depth = 0): Inline[] {
  const out: Inline[] = [];
  let buf = "";
  const flush = () => {
    if (buf) out.push({ t: "text", text: buf });
    buf = "";
  };
  const nested = (x: string) => (depth < MAX_DEPTH ? parseInline(x, resolve, depth + 1) : [{ t: "text" as const, text: x }]);
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "\\" && i + 1 < s.length && /[!-/:-@[-`{-~]/.test(s[i + 1])) {
      buf += s[i + 1];
      i += 2;
      continue;
    }
    if (c === "\\" && s[i + 1] === "\n") {
      flush();
      out.push({ t: "br" });
      i += 2;
      continue;
    }
    if (c === "`") {
      const run = /^`+/.exec(s.slice(i))![0];
      const end = s.indexOf(run, i + run.length);
      if (end > 0 && s[end + run.length] !== "`") {
        flush();
        const code = s.slice(i + run.length, end).replace(/\n/g, " ");
        out.push({ t: "code", text: /^ .* $/.test(code) && code.trim() ? code.slice(1, -1) : code });
        i = end + run.length;
      } else {
        buf += run;
        i += run.length;
      }
      continue;
    }
    if (c === "!" && s[i + 1] === "[") {
      const link = linkAt(s, i + 1);
      if (link) {
        flush();
        out.push({ t: "image", src: resolve(link.url), alt: link.text });
        i = link.end;
        continue;
      }
    }
    if (c === "[") {
      const link = linkAt(s, i);
      if (link) {
        flush();
        const href = safeHref(link.url);
        const children = nested(link.text);
        if (href) out.push({ t: "link", href, children });
        else out.push(...children);
        i = link.end;
        continue;
      }
    }
    if (c === "*" || c === "_") {
      const run = new RegExp(`^\\${c}{1,3}`).exec(s.slice(i))![0];
      const n = run.length;
      const opens = s[i + n] !== undefined && !/\s/.test(s[i + n]) && (c === "*" || !WORD.test(s[i - 1] ?? ""));
      let end = -1;
      if (opens)
        for (let j = i + n + 1; j <= s.length - n; j++) {
          if (s.slice(j, j + n) === run && !/\s/.test(s[j - 1]) && s[j + n] !== c && (c === "*" || !WORD.test(s[j + n] ?? ""))) {
            end = j;
            break;
          }
        }
      if (end > 0) {
        flush();
        const inner = nested(s.slice(i + n, end));
        out.push(n === 1 ? { t: "em", children: inner } : n === 2 ? { t: "strong", children: inner } : { t: "strong", children: [{ t: "em", children: inner }] });
        i = end + n;
      } else {
        buf += run;
        i += n;
      }
      continue;
    }
    if (c === "<") {
      const auto = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i.exec(s.slice(i));
      if (auto) {
        flush();
        out.push({ t: "link", href: auto[1], children: [{ t: "text", text: auto[1] }] });
        i += auto[0].length;
        continue;
      }
    }
    if (c === "\n") {
      if (buf.endsWith("  ")) {
        buf = buf.replace(/ +$/, "");
        flush();
        out.push({ t: "br" });
      } else buf += " ";
      i++;
      continue;
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}
