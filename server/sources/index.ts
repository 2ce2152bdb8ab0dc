// The readers' public surface. Everything a caller needs to turn user paths into a SourceSet.
export { readSources, readBuffer, displayPath, type ReadOptions } from "./read.ts";
export { decodeSqlBytes, normaliseNewlines } from "./decode.ts";
export { readZip, checkEntryName, DEFAULT_ZIP_LIMITS, type ZipLimits } from "./zip.ts";
export { parseSqlProject, selectProjectFiles } from "./sqlproj.ts";
export { readModelXml, splitBracketName } from "./dacpac.ts";
export {
  readLive,
  liveRowsToFragment,
  createMssqlRunner,
  redactConnectionString,
  isLiveSource,
  CATALOG_QUERIES,
  type QueryRunner,
  type CatalogQueryName,
  type LiveOptions,
  type Row,
} from "./live.ts";
export type * from "./types.ts";
