// The input guard's per-request cost with what it scans since issue 9: the decoded path (Guardian's
// own detectors per segment, CRS REQUEST_FILENAME / REQUEST_BASENAME on the whole), cookies, number-like
// words (CRS 942220) and XML bodies, next to the request the older bench (bench/rate-limit.ts) times.
// scanInputs only (collection is a URL parse and a header split); at paranoia level 1 (the default) and 4.
//   npx tsx bench/input-guard.ts
import { XMLParser } from "fast-xml-parser";
import { DEFAULT_PARANOIA_LEVEL } from "../server/guardian/detect/crs/index.ts";
import { cookieInputs, pathInputs, scanInputs, type RequestInput } from "../server/guardian/middleware.ts";
import { TYPICAL_REQUEST_INPUTS } from "./typical-request.ts";

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const row = (label: string, xs: number[], n = xs.length) => `| ${label} | ${pct(xs, 50).toFixed(3)} | ${pct(xs, 95).toFixed(3)} | ${n} |`;

function time(n: number, f: () => unknown): number[] {
  for (let i = 0; i < Math.min(300, n); i++) f();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    out.push(performance.now() - t0);
  }
  return out;
}

const UUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
// bench/rate-limit.ts's typical request.
const fields: RequestInput[] = [...TYPICAL_REQUEST_INPUTS];
const apiPath = pathInputs(`/api/v1/migrations/${UUID}/events`);
const objectPath = pathInputs(`/migrations/${UUID}/objects/dbo.${encodeURIComponent("[Order Details]")}`);
const cookies = cookieInputs("session=0123456789abcdef; theme=dark; lang=en-GB; _ga=GA1.1.123456789.1700000000");
const numbers: RequestInput[] = [
  { location: "query", name: "limit", value: "100" },
  { location: "query", name: "page", value: "12" },
];
const typical = [...apiPath, ...fields, ...cookies, ...numbers];
const xmlBody = `<?xml version="1.0"?><migration name="Sales warehouse 2024" target="postgres">${Array.from(
  { length: 10 },
  (_, i) => `<object schema="dbo" id="${i}"><name>[Order Details ${i}]</name><note>O'Brien &amp; Sons, Q${(i % 4) + 1} figures (EU + UK)</note></object>`,
).join("")}</migration>`;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", parseTagValue: false, trimValues: false, processEntities: false });
const xmlInputs: RequestInput[] = [];
(function walk(node: unknown, path: string): void {
  if (typeof node === "string") xmlInputs.push({ location: "xml", name: path, value: node });
  else if (Array.isArray(node)) node.forEach((v) => walk(v, path));
  else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, k === "#text" ? path : `${path}.${k}`);
})(parser.parse(xmlBody), "");

const N = 3000;
console.log(`node ${process.version}, load average ${(await import("node:os")).loadavg().map((x) => x.toFixed(2)).join(" ")}`);
for (const pl of [DEFAULT_PARANOIA_LEVEL, 4]) {
  console.log(`\nInput guard, paranoia level ${pl}${pl === DEFAULT_PARANOIA_LEVEL ? " (default)" : ""}`);
  console.log("| request | p50 ms | p95 ms | n |\n|---|---|---|---|");
  const old = time(N, () => scanInputs(fields, pl));
  console.log(row(`the older typical request: ${fields.length} fields and headers`, old));
  const t = time(N, () => scanInputs(typical, pl));
  console.log(row(`typical request now: + path (${apiPath.length} inputs), cookies (${cookies.length}), two numbers = ${typical.length} inputs`, t));
  console.log(row("  per input", t.map((x) => x / typical.length)));
  console.log(row(`API path alone (/api/v1/migrations/<uuid>/events, ${apiPath.length} inputs)`, time(N, () => scanInputs(apiPath, pl))));
  console.log(row(`object path (/migrations/<uuid>/objects/dbo.[Order Details], ${objectPath.length} inputs)`, time(N, () => scanInputs(objectPath, pl))));
  console.log(row(`cookies (${cookies.length} inputs, session left out)`, time(N, () => scanInputs(cookies, pl))));
  console.log(row("number-like words (100, 12, 4294967295)", time(N, () => scanInputs([...numbers, { location: "query", name: "n", value: "4294967295" }], pl))));
  const x = time(300, () => scanInputs(xmlInputs, pl));
  console.log(row(`XML body (${xmlBody.length} bytes, ${xmlInputs.length} values)`, x));
}
