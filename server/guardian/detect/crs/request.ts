// Splits a request part as sent on the wire into the inputs CRS rules look at, the way
// ModSecurity's parsers do: a query string or form body `a=b&c=d` (names and values URL-decoded
// once, '+' → space, a part without '=' is a name with an empty value), a JSON body (arguments
// named json.path.to.key), a Cookie header (`a=b; c=d`), an XML body (text and attribute values:
// the XML:/* target), a multipart body (its fields), a path (REQUEST_FILENAME and
// REQUEST_BASENAME, plus its query string), and any other header by name. Values are byte strings.
import type { CrsInput } from "./engine.ts";
// Names and values are decoded with t:urlDecode (transform.ts): ModSecurity's lenient URL
// decoding, %HH decoded, invalid % kept, '+' → space; bytes in, bytes out.
import { toBytes, urlDecode } from "./transform.ts";

export function parseForm(body: string, out: CrsInput[] = []): CrsInput[] {
  for (const part of body.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const name = urlDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : urlDecode(part.slice(eq + 1));
    out.push({ location: "ARGS_NAMES", name, value: name, bytes: true });
    out.push({ location: "ARGS", name, value, bytes: true });
  }
  return out;
}

export function parseCookies(header: string, out: CrsInput[] = []): CrsInput[] {
  for (const part of header.split(";")) {
    const p = part.replace(/^\s+/, "");
    if (!p) continue;
    const eq = p.indexOf("=");
    const name = eq < 0 ? p : p.slice(0, eq);
    const value = eq < 0 ? "" : p.slice(eq + 1);
    out.push({ location: "REQUEST_COOKIES_NAMES", name, value: name, bytes: true });
    out.push({ location: "REQUEST_COOKIES", name, value, bytes: true });
  }
  return out;
}

export function parseJsonBody(value: unknown, path = "json", out: CrsInput[] = [], depth = 0): CrsInput[] {
  if (depth > 32) return out;
  if (value === null || typeof value !== "object") {
    out.push({ location: "ARGS_NAMES", name: path, value: toBytes(path), bytes: true });
    out.push({ location: "ARGS", name: path, value: toBytes(value === null ? "" : String(value)), bytes: true });
    return out;
  }
  if (Array.isArray(value)) value.forEach((v, i) => parseJsonBody(v, `${path}.array_${i}`, out, depth + 1));
  else for (const [k, v] of Object.entries(value)) parseJsonBody(v, `${path}.${k}`, out, depth + 1);
  return out;
}

const XML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
function xmlDecode(s: string): string {
  return s.replace(/&(?:#x([0-9a-f]+)|#(\d+)|(lt|gt|amp|quot|apos));/gi, (m, h?: string, d?: string, n?: string) =>
    h ? String.fromCodePoint(parseInt(h, 16)) : d ? String.fromCodePoint(Number(d)) : XML_ENTITIES[n!.toLowerCase()]!,
  );
}

export function parseXmlBody(body: string, out: CrsInput[] = []): CrsInput[] {
  const text = body.replace(/<\?[\s\S]*?\?>/g, "").replace(/<!--[\s\S]*?-->/g, "");
  for (const m of text.matchAll(/<[^\s<>\/!?]+((?:\s+[^\s=<>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/g)) {
    for (const a of m[1]!.matchAll(/[^\s=<>]+\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out.push({ location: "XML", value: toBytes(xmlDecode(a[1] ?? a[2] ?? "")), bytes: true });
  }
  for (const m of text.matchAll(/>([^<]+)</g)) if (m[1]!.trim()) out.push({ location: "XML", value: toBytes(xmlDecode(m[1]!)), bytes: true });
  for (const m of text.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)) out.push({ location: "XML", value: toBytes(m[1]!), bytes: true });
  return out;
}

export function parseMultipart(body: string, out: CrsInput[] = []): CrsInput[] {
  const first = /^(?:\r?\n)*(--?[^\r\n]+)/.exec(body);
  if (!first) return out;
  for (const part of body.split(first[1]!)) {
    const sep = /\r?\n\r?\n/.exec(part);
    if (!sep) continue;
    const head = part.slice(0, sep.index);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    // A part with a filename is an uploaded file (FILES), not an argument.
    if (name === undefined || /filename="/i.test(head)) continue;
    const value = part.slice(sep.index + sep[0].length).replace(/\r?\n$/, "");
    out.push({ location: "ARGS_NAMES", name, value: toBytes(name), bytes: true });
    out.push({ location: "ARGS", name, value: toBytes(value), bytes: true });
  }
  return out;
}

export function parsePath(uri: string, out: CrsInput[] = []): CrsInput[] {
  const q = uri.indexOf("?");
  const path = q < 0 ? uri : uri.slice(0, q);
  out.push({ location: "REQUEST_FILENAME", value: toBytes(path), bytes: true });
  out.push({ location: "REQUEST_BASENAME", value: toBytes(path.slice(path.lastIndexOf("/") + 1)), bytes: true });
  if (q >= 0) parseForm(toBytes(uri.slice(q + 1)), out);
  return out;
}

export interface RawRequestPart {
  /** query | body | uri | header:<Name> */
  location: string;
  raw: string;
  contentType?: string;
}

/** The CRS inputs of one request part as sent. */
export function parseRawRequest(part: RawRequestPart): CrsInput[] {
  const raw = part.raw;
  const type = (part.contentType ?? "").toLowerCase();
  if (part.location === "query") return parseForm(toBytes(raw));
  if (part.location === "uri") return parsePath(raw);
  if (part.location.startsWith("header:")) {
    const name = part.location.slice("header:".length);
    if (name.toLowerCase() === "cookie") return parseCookies(toBytes(raw), [{ location: "REQUEST_HEADERS", name, value: toBytes(raw), bytes: true }]);
    return [{ location: "REQUEST_HEADERS", name, value: toBytes(raw), bytes: true }];
  }
  // body
  if (type.startsWith("application/json")) {
    try {
      return parseJsonBody(JSON.parse(raw));
    } catch {
      return parseForm(toBytes(raw));
    }
  }
  if (/^(?:application|text)\/(?:[\w.+-]+\+)?xml/.test(type)) return parseXmlBody(raw);
  if (type.startsWith("multipart/form-data")) return parseMultipart(raw);
  return parseForm(toBytes(raw));
}
