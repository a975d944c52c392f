/**
 * A fast reader for the YAML that CRD generators (controller-gen, kubebuilder) write: block
 * mappings and sequences, plain and quoted scalars, literal block scalars, `[]`/`{}`, comments,
 * `---` separators. Anything else (anchors, tags, folded or multi-line plain scalars, flow
 * collections with content) returns undefined and the caller uses a full YAML parser. Reading the
 * Gateway API CRDs this way is several times faster than a general parser (bench/rooms/crds.ts);
 * a test holds its output equal to js-yaml's on every real-world CRD set.
 */

class Unsupported extends Error {}

interface Line {
  indent: number;
  text: string;
  /** 0-based line number in the file. */
  at: number;
}

const KEY =
  /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s"'#&*!|>%@`{}[\],?:-][^:#]*?|-[^\s:#][^:#]*?):(?: |$)/;

function scalar(raw: string): unknown {
  const s = raw.trim();
  if (s === "" || s === "~" || s === "null" || s === "Null" || s === "NULL") return null;
  if (s.startsWith('"')) return doubleQuoted(s);
  if (s.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(s)) throw new Unsupported();
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s === "[]") return [];
  const flow = /^\[([^[\]{}'"#]*)\]$/.exec(s);
  if (flow) return flow[1].split(",").map((item) => scalar(item));
  if (s === "{}") return {};
  if (/^[[{&*!|>%@`]/.test(s) || s.includes(" #") || /:(\s|$)/.test(s)) throw new Unsupported();
  if (/^(true|True|TRUE)$/.test(s)) return true;
  if (/^(false|False|FALSE)$/.test(s)) return false;
  if (/^[-+]?[0-9]+$/.test(s)) return Number(s);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
  if (/^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(s) || /^0[ox]/.test(s)) throw new Unsupported();
  return s;
}

/** A YAML double-quoted escape as a JSON one. */
function jsonEscape(c: string): string {
  if ('nrtbfu"\\'.includes(c)) return `\\${c}`;
  const mapped: Record<string, string> = {
    " ": " ",
    "/": "/",
    "0": "\\u0000",
    a: "\\u0007",
    e: "\\u001b",
    v: "\\u000b",
    x: "\\u00",
  };
  if (mapped[c] === undefined) throw new Unsupported(`escape \\${c}`);
  return mapped[c];
}

function doubleQuoted(s: string): string {
  if (!/^"(?:[^"\\]|\\.)*"$/.test(s)) throw new Unsupported();
  try {
    // JSON strings are YAML double-quoted strings without YAML-only escapes.
    return JSON.parse(s.replace(/\\(.)/g, (_, c: string) => jsonEscape(c))) as string;
  } catch {
    throw new Unsupported(s.slice(0, 200));
  }
}

function key(raw: string): string {
  if (raw.startsWith('"')) return doubleQuoted(raw);
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  return raw.trimEnd();
}

class Reader {
  i = 0;
  constructor(
    private readonly lines: Line[],
    private readonly raw: string[],
  ) {}

  node(indent: number): unknown {
    const line = this.lines[this.i];
    if (!line || line.indent < indent) return null;
    if (line.text === "-" || line.text.startsWith("- ")) return this.sequence(line.indent);
    if (KEY.test(line.text)) return this.mapping(line.indent);
    this.i++;
    return this.plain(line.text, line.indent, line.at);
  }

  /**
   * A plain scalar may go on over more indented lines, folded with single spaces. Lines with
   * blank or comment lines between them, or with `: ` or ` #`, go to the full parser.
   */
  private plain(first: string, indent: number, at: number): unknown {
    let joined = first.trimEnd();
    const quote = /^["']/.test(first) ? first[0] : undefined;
    const closed = () =>
      quote === "'" ? /^'(?:[^']|'')*'$/.test(joined) : /^"(?:[^"\\]|\\.)*"$/.test(joined);
    let last = at;
    for (let next = this.lines[this.i]; next && next.indent > indent; next = this.lines[this.i]) {
      if (quote && closed()) break;
      if (next.at !== last + 1) throw new Unsupported(`line ${next.at + 1}`);
      if (!quote && /: |:$| #/.test(next.text)) throw new Unsupported(`line ${next.at + 1}`);
      const text = next.text.trimEnd();
      // In double quotes, a backslash before the line break joins the lines without a space.
      const escapedBreak = quote === '"' && /(^|[^\\])(\\\\)*\\$/.test(joined);
      joined = escapedBreak ? joined.slice(0, -1) + text : `${joined} ${text}`;
      last = next.at;
      this.i++;
    }
    return scalar(joined);
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const line = this.lines[this.i];
      if (!line || line.indent !== indent || !(line.text === "-" || line.text.startsWith("- ")))
        break;
      const rest = line.text.slice(1).replace(/^ +/, "");
      if (rest === "") {
        this.i++;
        const next = this.lines[this.i];
        out.push(next && next.indent > indent ? this.node(next.indent) : null);
        continue;
      }
      // `- key: value` opens a mapping whose keys sit two columns in.
      const inner = indent + (line.text.length - rest.length);
      this.lines[this.i] = { indent: inner, text: rest, at: line.at };
      out.push(this.node(inner));
    }
    return out;
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (;;) {
      const line = this.lines[this.i];
      if (!line || line.indent !== indent) break;
      const m = KEY.exec(line.text);
      if (!m) throw new Unsupported();
      const name = key(m[1]);
      if (Object.hasOwn(out, name)) throw new Unsupported();
      const value = line.text.slice(m[0].length).trim();
      this.i++;
      if (value === "") {
        const next = this.lines[this.i];
        if (next && next.indent > indent) out[name] = this.node(next.indent);
        else if (
          next &&
          next.indent === indent &&
          (next.text === "-" || next.text.startsWith("- "))
        )
          out[name] = this.sequence(indent);
        else out[name] = null;
      } else if (/^\|[-+]?$/.test(value)) {
        out[name] = this.literal(indent, value, line.at);
      } else {
        out[name] = this.plain(value, indent, line.at);
      }
    }
    return out;
  }

  /** A literal block scalar: the raw lines below `key: |`, indentation removed. */
  private literal(indent: number, header: string, at: number): string {
    if (header === "|+") throw new Unsupported();
    // Blank lines were dropped from `lines`; read the raw text between the header and the next
    // line that is not more indented.
    let j = this.i;
    while (j < this.lines.length && this.lines[j].indent > indent) j++;
    const stop = j < this.lines.length ? this.lines[j].at : this.raw.length;
    this.i = j;
    const body = this.raw.slice(at + 1, stop);
    while (body.length && body[body.length - 1].trim() === "") body.pop();
    const first = body.find((l) => l.trim() !== "");
    if (first === undefined) return "";
    const blockIndent = first.length - first.trimStart().length;
    if (blockIndent <= indent) throw new Unsupported();
    const text = body
      .map((l) => {
        if (l.trim() === "") return "";
        if (l.length - l.trimStart().length < blockIndent) throw new Unsupported();
        return l.slice(blockIndent);
      })
      .join("\n");
    return header === "|-" ? text : text + "\n";
  }
}

/** The documents of `text`, or undefined when it uses YAML beyond the subset above. */
export function readBlockYaml(text: string): unknown[] | undefined {
  if (text.includes("\t") || text.includes("\r")) return undefined;
  const raw = text.split("\n");
  const docs: Line[][] = [[]];
  let inLiteral = -1;
  for (const [at, l] of raw.entries()) {
    const indent = l.length - l.trimStart().length;
    if (inLiteral >= 0 && (l.trim() === "" || indent > inLiteral)) continue;
    inLiteral = -1;
    if (l.trim() === "" || l.trimStart().startsWith("#")) continue;
    if (/^---\s*$/.test(l)) {
      // A separator before any content opens the first document rather than a second one.
      if (docs.length > 1 || docs[0].length > 0) docs.push([]);
      continue;
    }
    if (l.startsWith("...") || l.startsWith("%") || l.startsWith("--- ")) return undefined;
    const text = l.slice(indent);
    docs[docs.length - 1].push({ indent, text, at });
    // The lines of a literal block scalar are read from the raw text, not as YAML lines.
    if (/(^|: |- )\|[-+]?$/.test(text)) {
      const dash = /^(- )+/.exec(text)?.[0].length ?? 0;
      inLiteral = indent + dash;
    }
  }
  try {
    return docs.map((lines) => {
      if (lines.length === 0) return null;
      const reader = new Reader(lines, raw);
      const value = reader.node(lines[0].indent);
      if (reader.i !== lines.length) throw new Unsupported();
      return value;
    });
  } catch (error) {
    if (error instanceof Unsupported) {
      if (process.env.DEBUG_YAML) console.log(error.stack);
      return undefined;
    }
    throw error;
  }
}
