// Hand-written benign inputs typical of DataMigrate (written for this check, not taken from any
// test set): migration and model names, descriptions, search terms, people's names, browser
// user agents, URLs and JSON-ish text. The input guard must let all of them through at the
// default paranoia level (detect/crs/crs.test.ts); bench/guardian.ts reports the false
// positives at each level.
export interface BenignSample {
  location: "ARGS" | "ARGS_NAMES" | "REQUEST_HEADERS";
  name: string;
  value: string;
}

const arg = (name: string, value: string): BenignSample => ({ location: "ARGS", name, value });
const ua = (value: string): BenignSample => ({ location: "REQUEST_HEADERS", name: "User-Agent", value });

export const BENIGN_SAMPLES: BenignSample[] = [
  arg("name", "Q3 sales DW – phase 2"),
  arg("name", "Q3 sales DW - phase 2"),
  arg("name", "Finance mart (2024 restatement)"),
  arg("name", "CRM → Snowflake, wave 1"),
  arg("name", "AdventureWorks2019 → dbt"),
  arg("name", "Sales & Marketing <EU>"),
  arg("name", "Q3 -- final"),
  arg("name", "drop-off analysis"),
  arg("name", "Kundenstamm “Müller & Söhne” – Ü-Tabelle"),
  arg("name", "HR_Payroll_v2.1"),
  arg("name", "stg_orders / int_orders / fct_orders"),
  arg("description", "Migrates the customer's order history; excludes test accounts."),
  arg("description", "O'Brien's team owns this one. Ask before re-running!"),
  arg("description", "Don't touch the 'legacy' schema until the cut-over on 1 March."),
  arg("description", "Nightly load: orders, order_lines and returns (about 2M rows)."),
  arg("description", "Replaces the SSIS package; see ticket DATA-1234 for details."),
  arg("description", "Update orders from 2023 (delete old)"),
  arg("description", "Phase 2: dimensions first, then facts. Owner: Ana María Pérez."),
  arg("description", "Revenue = price * quantity, net of discounts (50% off in Q4)."),
  arg("description", "Works with SQL Server 2016+; tested on 2019 and 2022."),
  arg("description", "Ticket #4521: fix the date format (DD/MM/YYYY) in the export"),
  arg("description", "C:\\data\\exports\\sales.csv is the source file"),
  arg("search", "select customers 2024"),
  arg("search", "O'Brien"),
  arg("search", "o'brien@example.com"),
  arg("search", "orders where status failed"),
  arg("search", "union bank"),
  arg("search", "drop table"),
  arg("search", "AT&T; Johnson & Johnson"),
  arg("search", "sales 2023-2024"),
  arg("search", "\"exact phrase\""),
  arg("search", "vw_SalesSummary"),
  arg("search", "dbo.usp_LoadOrders"),
  arg("comment", "Looks good to me :)"),
  arg("comment", "Is the row count right? I see 1,204 vs 1,240."),
  arg("comment", "We'll re-run it tomorrow at 9:00."),
  arg("tags.0", "finance"),
  arg("tags.1", "high-priority"),
  arg("email", "ana.perez+dw@example.co.uk"),
  arg("url", "https://intranet.example.com/wiki/DW/Migration_Plan?version=3"),
  arg("webhook", "https://hooks.example.com/services/T000/B000/XXXX"),
  arg("redirect", "/migrations/8f14e45f-ceea-467f-a0e6-9a1b2c3d4e5f?tab=report"),
  arg("json", '{"source":"mssql","database":"Sales"}'),
  arg("json", '["orders","customers"]'),
  arg("timezone", "Europe/Berlin"),
  arg("date", "2024-03-01T09:00:00Z"),
  arg("display_name", "Jean-Luc O'Neill"),
  arg("display_name", "D'Angelo Smith"),
  ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
  ua("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"),
  ua("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
  ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
  ua("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
  ua("curl/8.5.0"),
  { location: "REQUEST_HEADERS", name: "Referer", value: "https://datamigrate.example.com/migrations?status=running&page=2" },
];

/**
 * Samples above that Guardian's own SQL-injection detector (sqli.ts, not the CRS rules) flags at
 * every paranoia level: kept in the set and reported rather than dropped.
 */
export const KNOWN_FLAGGED: string[] = ["Nightly load: orders, order_lines and returns (about 2M rows).", "drop table"];
