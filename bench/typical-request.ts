// The typical API/form request the input-guard benches measure (bench/rate-limit.ts,
// bench/input-guard.ts): a handful of short fields, a search term, two headers.
import type { RequestInput } from "../server/guardian/middleware.ts";

export const TYPICAL_REQUEST_INPUTS: readonly RequestInput[] = [
  { location: "json", name: "name", value: "Sales warehouse 2024" },
  { location: "json", name: "description", value: "Monthly O'Brien sales, by region & product (EU + UK)" },
  { location: "json", name: "target", value: "postgres" },
  { location: "query", name: "q", value: "select customers 2024" },
  { location: "header", name: "user-agent", value: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36" },
  { location: "header", name: "referer", value: "https://datamigrate.example.com/dashboard?q=sales&page=2" },
];
