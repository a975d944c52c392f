/** Multi-document YAML (or objects) → validated objects that remember their document and line. */
import { LineCounter, parseAllDocuments } from "yaml";
import { ManifestError, type Manifest, type ManifestInput, type ManifestProblem } from "./types.js";

/** A manifest object after validation: apiVersion, kind and metadata.name are present. */
export type CheckedManifest = Manifest & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
};

/** One object of the input with where it came from. */
export interface ManifestDocument {
  index: number;
  line?: number;
  object: CheckedManifest;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

/** What is wrong with one object, or undefined when it can be applied. */
function objectProblem(value: unknown): string | undefined {
  if (!isMapping(value)) return `expected a mapping (an object), got ${describe(value)}`;
  if (!nonEmptyString(value.apiVersion)) return "apiVersion is missing or not a string";
  if (!nonEmptyString(value.kind)) return "kind is missing or not a string";
  const metadata = value.metadata;
  if (!isMapping(metadata) || !nonEmptyString(metadata.name)) {
    return `${value.kind} has no metadata.name (generateName cannot be applied)`;
  }
  if (metadata.namespace !== undefined && !nonEmptyString(metadata.namespace)) {
    return `${value.kind} ${metadata.name}: metadata.namespace is not a string`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a sequence";
  return `a ${typeof value}`;
}

/**
 * Checks every object and expands `v1` `List`s into their items (kubectl does the same).
 * Throws one ManifestError listing every problem, so nothing is sent when any object is unusable.
 */
export function validateDocuments(
  documents: { index: number; line?: number; value: unknown }[],
): ManifestDocument[] {
  const problems: ManifestProblem[] = [];
  const out: ManifestDocument[] = [];
  for (const { index, line, value } of documents) {
    const items =
      isMapping(value) && value.apiVersion === "v1" && value.kind === "List"
        ? Array.isArray(value.items)
          ? value.items
          : [undefined]
        : [value];
    for (const item of items) {
      const problem = objectProblem(item);
      if (problem) problems.push({ index, line, message: problem });
      else out.push({ index, line, object: item as CheckedManifest });
    }
  }
  if (problems.length) throw new ManifestError(problems);
  return out;
}

/** The first line of a parser message, without the parser's own position (we add ours). */
function shortMessage(message: string): string {
  return message
    .split("\n")[0]
    .replace(/ at line \d+, column \d+:?$/, "")
    .replace(/:$/, "");
}

/**
 * Parses multi-document YAML as kubectl does (YAML 1.1: `yes` is true, `0644` is octal).
 * Empty documents are skipped but counted, so indexes match the file. A syntax error names
 * the document and line but never quotes the text, which may hold a Secret.
 */
export function parseDocuments(text: string): ManifestDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { version: "1.1", lineCounter, prettyErrors: false });
  const problems: ManifestProblem[] = [];
  const values: { index: number; line?: number; value: unknown }[] = [];
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, index) => {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineCounter.linePos(start).line;
    if (doc.errors.length) {
      for (const error of doc.errors) {
        const at = lineCounter.linePos(error.pos[0]);
        problems.push({
          index,
          line: at.line,
          message: `${shortMessage(error.message)} (${error.code}, line ${at.line}, column ${at.col})`,
        });
      }
      return;
    }
    if (doc.contents === null) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      problems.push({ index, line, message: (error as Error).message.split("\n")[0] });
      return;
    }
    if (value === null || value === undefined) return;
    values.push({ index, line, value });
  });
  if (problems.length) throw new ManifestError(problems);
  return validateDocuments(values);
}

/** Input of apply/delete as documents: YAML is parsed, objects are checked the same way. */
export function toDocuments(input: ManifestInput): ManifestDocument[] {
  if (typeof input === "string") return parseDocuments(input);
  if (!Array.isArray(input))
    throw new TypeError("manifests must be YAML text or an array of objects");
  return validateDocuments(input.map((value, index) => ({ index, value })));
}

/**
 * The objects of a multi-document YAML text, typed by apiVersion/kind for the built-in kinds
 * (narrow one with `isKind`). Throws a ManifestError naming each bad document and its line.
 */
export function parseManifests(text: string): Manifest[] {
  return parseDocuments(text).map((d) => d.object);
}
