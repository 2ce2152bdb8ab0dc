// Bytes → text for T-SQL scripts. SSMS writes UTF-8 with BOM or UTF-16 LE with BOM; older tools
// write the ANSI code page (windows-1252 on most Western installs) without any mark.
import type { TextEncoding } from "./types.ts";

export type DecodeResult =
  | { ok: true; text: string; encoding: TextEncoding; warning?: { code: string; message: string } }
  | { ok: false; code: string; message: string };

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });
const utf8Lenient = new TextDecoder("utf-8");
const utf16le = new TextDecoder("utf-16le");
const utf16be = new TextDecoder("utf-16be");
const cp1252 = new TextDecoder("windows-1252");

/** CRLF and lone CR become LF; each original line ending stays one line ending, so line numbers are kept. */
export function normaliseNewlines(text: string): string {
  return text.indexOf("\r") < 0 ? text : text.replace(/\r\n?/g, "\n");
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Share of NUL bytes at even and odd offsets in the first bytes: ASCII-range UTF-16 has NULs on one side only. */
function nulPattern(bytes: Uint8Array): { even: number; odd: number; sample: number } {
  const n = Math.min(bytes.length, 8192);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    if (bytes[i] === 0) {
      if (i % 2 === 0) even++;
      else odd++;
    }
  }
  return { even, odd, sample: n };
}

/** True when the text holds control characters no script contains (a sign of a binary file). */
function looksBinary(text: string): boolean {
  const n = Math.min(text.length, 65536);
  if (n === 0) return false;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11) || c === 0xfffd) bad++;
  }
  return bad > 0 && bad / n > 0.005;
}

export function decodeSqlBytes(bytes: Uint8Array): DecodeResult {
  let text: string;
  let encoding: TextEncoding;
  let warning: { code: string; message: string } | undefined;
  const b0 = bytes[0];
  const b1 = bytes[1];
  const b2 = bytes[2];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) {
    encoding = "utf-8-bom";
    try {
      text = utf8Fatal.decode(bytes.subarray(3));
    } catch {
      text = utf8Lenient.decode(bytes.subarray(3));
      warning = { code: "SRC1002", message: "the file starts with a UTF-8 byte order mark but holds bytes that are not UTF-8; they were replaced with U+FFFD" };
    }
  } else if (b0 === 0xff && b1 === 0xfe) {
    encoding = "utf-16le";
    text = utf16le.decode(bytes.subarray(2));
  } else if (b0 === 0xfe && b1 === 0xff) {
    encoding = "utf-16be";
    text = utf16be.decode(bytes.subarray(2));
  } else if (bytes.indexOf(0) >= 0) {
    const p = nulPattern(bytes);
    // UTF-16 without BOM: NULs sit on one side only (every other byte for ASCII text).
    if (p.odd > p.sample * 0.3 && p.even === 0 && bytes.length % 2 === 0) {
      encoding = "utf-16le";
      text = utf16le.decode(bytes);
      warning = { code: "SRC1003", message: "the file has no byte order mark but looks like UTF-16 LE; it was read as UTF-16 LE" };
    } else if (p.even > p.sample * 0.3 && p.odd === 0 && bytes.length % 2 === 0) {
      encoding = "utf-16be";
      text = utf16be.decode(bytes);
      warning = { code: "SRC1003", message: "the file has no byte order mark but looks like UTF-16 BE; it was read as UTF-16 BE" };
    } else {
      return { ok: false, code: "SRC1001", message: "binary file (it contains NUL bytes and is not UTF-16 text); skipped" };
    }
  } else {
    try {
      text = utf8Fatal.decode(bytes);
      encoding = "utf-8";
    } catch {
      text = cp1252.decode(bytes);
      encoding = "windows-1252";
      warning = { code: "SRC1002", message: "the file is not valid UTF-8 and has no byte order mark; it was read as windows-1252 (check accented characters)" };
    }
  }
  text = stripBom(text);
  if (looksBinary(text)) {
    return { ok: false, code: "SRC1001", message: "binary file (it contains control characters no script holds); skipped" };
  }
  return { ok: true, text: normaliseNewlines(text), encoding, ...(warning ? { warning } : {}) };
}
