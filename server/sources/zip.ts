// Safe zip reading for SSDT project zips and dacpacs. An archive from a user is hostile until
// proven otherwise: names may climb out of the tree (`../`), be absolute, or the entries may inflate
// to far more than their headers declare. We never write entries to disk, but the paths we report
// and the memory we spend must both stay bounded.
import yauzl from "yauzl";
import type { Entry, ZipFile } from "yauzl";
import type { Diagnostic } from "../diagnostics.ts";
import { diagnostic } from "../diagnostics.ts";

export interface ZipLimits {
  /** Refuse archives with more entries than this. */
  maxEntries: number;
  /** Refuse archives whose entries inflate (really, while streaming, or as declared) to more than this many bytes. */
  maxTotalUncompressed: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 20_000, maxTotalUncompressed: 1024 * 1024 * 1024 };

export interface ZipEntryData {
  /** Normalised relative path inside the archive (forward slashes, no leading `./`). */
  name: string;
  data: Buffer;
}

export interface ZipReadResult {
  entries: ZipEntryData[];
  /** All safe file names in the archive, wanted or not (to find a .sqlproj, a model.xml...). */
  names: string[];
  diagnostics: Diagnostic[];
  /** True when the archive as a whole was refused or unreadable: `entries` is then empty. */
  refused: boolean;
}

export interface ZipReadOptions {
  /** The archive's path as the user knows it; diagnostics carry it as their file. */
  displayPath: string;
  /** Which entries to inflate; others are listed but never decompressed. */
  want: (name: string) => boolean;
  limits?: Partial<ZipLimits>;
}

function decodeName(raw: Buffer, flags: number): string {
  // Bit 11: the name is UTF-8. Many tools write UTF-8 without setting it, so try UTF-8 first anyway.
  if (flags & 0x800) return raw.toString("utf8");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return raw.toString("latin1");
  }
}

/** Returns the normalised name, or why the entry must be skipped. */
export function checkEntryName(name: string): { ok: true; name: string } | { ok: false; code: string; why: string } {
  if (name.includes("\0")) return { ok: false, code: "SRC1102", why: "its name contains a NUL character" };
  const slashed = name.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed)) {
    return { ok: false, code: "SRC1101", why: "its path is absolute" };
  }
  const parts = slashed.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === "..")) return { ok: false, code: "SRC1102", why: "its path climbs out of the archive (`..`)" };
  return { ok: true, name: parts.join("/") };
}

function openZip(source: string | Buffer): Promise<ZipFile> {
  const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true };
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip?: ZipFile) => (err || !zip ? reject(err ?? new Error("cannot open")) : resolve(zip));
    if (typeof source === "string") yauzl.open(source, options, done);
    else yauzl.fromBuffer(source, options, done);
  });
}

function listEntries(zip: ZipFile, maxEntries: number): Promise<{ entries: Entry[]; tooMany: boolean }> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on("entry", (e: Entry) => {
      entries.push(e);
      if (entries.length > maxEntries) {
        resolve({ entries, tooMany: true });
        return;
      }
      zip.readEntry();
    });
    zip.on("end", () => resolve({ entries, tooMany: false }));
    zip.on("error", reject);
    zip.readEntry();
  });
}

class LimitExceeded extends Error {}

function inflate(zip: ZipFile, entry: Entry, budget: { left: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error("cannot read entry"));
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => {
        // Count what really comes out of the inflater: headers can lie.
        budget.left -= chunk.length;
        if (budget.left < 0) {
          stream.destroy();
          reject(new LimitExceeded());
          return;
        }
        chunks.push(chunk);
      });
      stream.on("error", reject);
      stream.on("end", () => resolve(Buffer.concat(chunks)));
    });
  });
}

export async function readZip(source: string | Buffer, opts: ZipReadOptions): Promise<ZipReadResult> {
  const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };
  const at = { file: opts.displayPath, line: 1 };
  const diagnostics: Diagnostic[] = [];
  const refuse = (code: string, message: string): ZipReadResult => ({
    entries: [],
    names: [],
    diagnostics: [...diagnostics, diagnostic(code, "error", message, at)],
    refused: true,
  });

  let zip: ZipFile;
  try {
    zip = await openZip(source);
  } catch (err) {
    return refuse("SRC1105", `not a readable zip archive (${err instanceof Error ? err.message : String(err)}); skipped`);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      return refuse("SRC1103", `the archive holds ${zip.entryCount} entries, more than the ${limits.maxEntries} allowed; refused as a possible zip bomb`);
    }
    let listed: { entries: Entry[]; tooMany: boolean };
    try {
      listed = await listEntries(zip, limits.maxEntries);
    } catch (err) {
      return refuse("SRC1105", `the archive's directory is corrupt (${err instanceof Error ? err.message : String(err)}); skipped`);
    }
    if (listed.tooMany) {
      return refuse("SRC1103", `the archive holds more than the ${limits.maxEntries} entries allowed; refused as a possible zip bomb`);
    }
    let declared = 0;
    const safe: { entry: Entry; name: string }[] = [];
    for (const entry of listed.entries) {
      const raw = decodeName(entry.fileName as unknown as Buffer, entry.generalPurposeBitFlag);
      if (raw.endsWith("/") || raw.endsWith("\\")) continue;
      const checked = checkEntryName(raw);
      if (!checked.ok) {
        diagnostics.push(diagnostic(checked.code, "error", `zip entry '${raw}' skipped: ${checked.why}`, at));
        continue;
      }
      declared += entry.uncompressedSize;
      safe.push({ entry, name: checked.name });
    }
    if (declared > limits.maxTotalUncompressed) {
      return refuse("SRC1104", `the archive declares ${declared} bytes uncompressed, more than the ${limits.maxTotalUncompressed} allowed; refused as a possible zip bomb`);
    }
    const budget = { left: limits.maxTotalUncompressed };
    const entries: ZipEntryData[] = [];
    for (const { entry, name } of safe) {
      if (!opts.want(name)) continue;
      if (entry.isEncrypted()) {
        diagnostics.push(diagnostic("SRC1105", "error", `zip entry '${name}' is encrypted; skipped`, at));
        continue;
      }
      try {
        entries.push({ name, data: await inflate(zip, entry, budget) });
      } catch (err) {
        if (err instanceof LimitExceeded) {
          return refuse("SRC1104", `the archive inflates to more than the ${limits.maxTotalUncompressed} bytes allowed (stopped while reading '${name}'); refused as a possible zip bomb`);
        }
        const msg = err instanceof Error ? err.message : String(err);
        if (/too many bytes|expected/i.test(msg)) {
          return refuse("SRC1104", `zip entry '${name}' inflates to a size other than its header declares (${msg}); the archive is refused as a possible zip bomb`);
        }
        diagnostics.push(diagnostic("SRC1105", "error", `zip entry '${name}' is unreadable (${msg}); skipped`, at));
      }
    }
    return { entries, names: safe.map((s) => s.name), diagnostics, refused: false };
  } finally {
    zip.close();
  }
}
