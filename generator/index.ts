/**
 * kubegen/generator: the generator as a library. `generate(argv)` runs exactly what the CLI runs
 * (same options, same atomic write, exit code as the result); the pieces below it load a spec,
 * build the output in memory, write or check it, and compare two APIs.
 */
export { main as generate } from "./cli.js";
export {
  buildOutput,
  checkOutput,
  readMetadata,
  writeOutput,
  METADATA_FILE,
  type BuildOptions,
  type GenerateResult,
  type OutputMetadata,
} from "./generate.js";
export { fromCluster, fromFile, fromRelease, type LoadedSpec } from "./sources.js";
export { diffModels, diffText, type ApiDiff, type Change } from "./diff.js";
