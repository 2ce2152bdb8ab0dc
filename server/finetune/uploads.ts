// Model file uploads (GGUF weights, LoRA adapters, Modelfiles) streamed to disk under
// DATA_DIR/model-uploads/<org>/<id>.part, never held in memory. Resumable: a chunk is PUT at an
// offset; if the connection drops, the bytes that reached the disk stay and the client asks for the
// offset (HEAD/GET) and continues from there. An upload that is abandoned is discarded (DELETE, or
// the stale sweep). A GGUF is checked by its magic bytes as soon as the first four arrive, and its
// sha256 is computed once complete.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Db } from "../db/client.ts";
import {
  createModelUpload,
  deleteModelUpload,
  getModelUpload,
  listStaleUploads,
  updateModelUpload,
} from "../db/queries/finetune.ts";
import type { ModelUpload, ModelUploadKind } from "../db/schema/finetune.ts";

export const GGUF_MAGIC = Buffer.from("GGUF", "ascii");
/** Limits per kind: the largest GGUF in the defaults is ~20 GB; a Modelfile is a few KB. */
export const MAX_UPLOAD_BYTES: Record<ModelUploadKind, number> = {
  gguf: 256 * 1024 ** 3,
  adapter: 16 * 1024 ** 3,
  modelfile: 256 * 1024,
};

export class UploadError extends Error {
  constructor(
    readonly code: "FT2001" | "FT2003" | "FT2004" | "FT2005",
    message: string,
    readonly status: 400 | 404 | 409 | 413 = 400,
    readonly received?: number,
  ) {
    super(`${message} (${code})`);
    this.name = "UploadError";
  }
}

export function uploadDir(dataDir: string, orgId: string): string {
  return path.join(dataDir, "model-uploads", orgId);
}

export function uploadPath(dataDir: string, upload: Pick<ModelUpload, "orgId" | "id">): string {
  return path.join(uploadDir(dataDir, upload.orgId), `${upload.id}.part`);
}

/** A plain file name: no directories, no control characters; the extension fits the kind. */
export function checkUploadName(kind: ModelUploadKind, filename: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/.test(filename) || filename.includes("..")) {
    return "expected a plain file name (letters, digits, . _ + -), no directories";
  }
  if ((kind === "gguf" || kind === "adapter") && !/\.gguf$/i.test(filename)) return "weights and adapters must be .gguf files";
  return undefined;
}

export async function startUpload(
  db: Db,
  dataDir: string,
  orgId: string,
  input: { userId: string | null; kind: ModelUploadKind; filename: string; size: number },
): Promise<ModelUpload> {
  if (input.size > MAX_UPLOAD_BYTES[input.kind]) {
    throw new UploadError("FT2004", `${input.kind} uploads are limited to ${MAX_UPLOAD_BYTES[input.kind]} bytes`, 413);
  }
  const row = await createModelUpload(db, orgId, input);
  await mkdir(uploadDir(dataDir, orgId), { recursive: true });
  // An empty file from the start: a resumed upload always has a file to continue.
  const fh = await open(uploadPath(dataDir, row), "w");
  await fh.close();
  return row;
}

/** Checks the first bytes of a GGUF as they stream past. */
class MagicCheck {
  private seen = Buffer.alloc(0);
  private done = false;
  constructor(private readonly needed: Buffer) {}
  /** An error when the bytes so far cannot be the start of a GGUF. */
  check(chunk: Buffer): UploadError | undefined {
    if (this.done) return undefined;
    this.seen = Buffer.concat([this.seen, chunk]).subarray(0, this.needed.length);
    if (!this.needed.subarray(0, this.seen.length).equals(this.seen)) {
      this.done = true;
      return new UploadError("FT2001", `not a GGUF file: it starts with ${JSON.stringify(this.seen.toString("latin1"))}, not "GGUF"`);
    }
    if (this.seen.length >= this.needed.length) this.done = true;
    return undefined;
  }
}

export interface ChunkResult {
  upload: ModelUpload;
  /** The body ended before the declared size was reached (the client resumes from upload.received). */
  interrupted: boolean;
}

/**
 * Writes `body` at `offset`. offset must equal what the server has (409 with the current offset
 * otherwise, so the client can resume at the right place). On a broken stream the bytes written so
 * far are kept and counted; on a bad file (not a GGUF) the upload is discarded.
 */
export async function writeChunk(
  db: Db,
  dataDir: string,
  orgId: string,
  id: string,
  offset: number,
  body: ReadableStream<Uint8Array> | null,
): Promise<ChunkResult> {
  const upload = await getModelUpload(db, orgId, id);
  if (!upload) throw new UploadError("FT2005", "upload not found", 404);
  if (upload.status !== "uploading") throw new UploadError("FT2003", `the upload is ${upload.status}`, 409, upload.received);
  const file = uploadPath(dataDir, upload);
  // The file is the truth: a crash between writing and updating the row leaves the row behind.
  const onDisk = await stat(file).then((s) => s.size, () => -1);
  if (onDisk < 0) {
    await deleteModelUpload(db, orgId, id);
    throw new UploadError("FT2003", "the upload's partial file is gone; start again", 409, 0);
  }
  if (offset !== onDisk) throw new UploadError("FT2003", `expected offset ${onDisk}, got ${offset}`, 409, onDisk);
  // Chunks are written one by one as they arrive (not through a pipeline that would drop the
  // buffered tail on an error): whatever the server read before a connection broke is on disk.
  const magic = upload.kind !== "modelfile" && offset < GGUF_MAGIC.length ? new MagicCheck(GGUF_MAGIC.subarray(offset)) : undefined;
  const max = upload.size - offset;
  let written = 0;
  let failure: unknown;
  const fh = await open(file, "r+");
  try {
    if (body) {
      for await (const part of body as unknown as AsyncIterable<Uint8Array>) {
        const chunk = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
        if (magic) {
          const bad = magic.check(chunk);
          if (bad) throw bad;
        }
        if (written + chunk.length > max) {
          await fh.write(chunk.subarray(0, max - written), 0, max - written, offset + written);
          written = max;
          throw new UploadError("FT2004", "more bytes than the declared size", 413);
        }
        await fh.write(chunk, 0, chunk.length, offset + written);
        written += chunk.length;
      }
    }
  } catch (err) {
    failure = err;
  } finally {
    await fh.close();
  }
  if (failure instanceof UploadError && failure.code === "FT2001") {
    await discardUpload(db, dataDir, orgId, id);
    throw failure;
  }
  if (failure instanceof UploadError && failure.code === "FT2004") {
    // What fitted is kept; the extra bytes were never written.
    await updateModelUpload(db, orgId, id, { received: offset + written });
    throw failure;
  }
  const received = await stat(file).then((s) => s.size);
  await updateModelUpload(db, orgId, id, { received });
  if (received < upload.size) {
    return { upload: { ...upload, received }, interrupted: true };
  }
  return { upload: await completeUpload(db, dataDir, { ...upload, received }), interrupted: false };
}

async function completeUpload(db: Db, dataDir: string, upload: ModelUpload): Promise<ModelUpload> {
  const file = uploadPath(dataDir, upload);
  if (upload.kind !== "modelfile") {
    const fh = await open(file, "r");
    try {
      const head = Buffer.alloc(4);
      await fh.read(head, 0, 4, 0);
      if (!head.equals(GGUF_MAGIC)) {
        await discardUpload(db, dataDir, upload.orgId, upload.id);
        throw new UploadError("FT2001", 'not a GGUF file: it does not start with the bytes "GGUF"');
      }
    } finally {
      await fh.close();
    }
  }
  const digest = `sha256:${await sha256File(file)}`;
  await updateModelUpload(db, upload.orgId, upload.id, { status: "complete", digest });
  return { ...upload, status: "complete", digest };
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  await pipeline(createReadStream(file), h);
  return h.digest("hex");
}

export async function discardUpload(db: Db, dataDir: string, orgId: string, id: string): Promise<boolean> {
  const upload = await getModelUpload(db, orgId, id);
  if (!upload) return false;
  await rm(uploadPath(dataDir, upload), { force: true });
  await deleteModelUpload(db, orgId, id);
  return true;
}

/** Discards uploads not touched for `maxAgeMs` (default a day) and not complete. */
export async function sweepStaleUploads(db: Db, dataDir: string, now: Date, maxAgeMs = 24 * 3600_000): Promise<number> {
  const stale = await listStaleUploads(db, new Date(now.getTime() - maxAgeMs));
  for (const u of stale) await discardUpload(db, dataDir, u.orgId, u.id);
  return stale.length;
}
