import { describe, expect, it } from "vitest";
import { mapErrorToModelLine, modelLineOf } from "./positions.ts";

const MODEL = `{{ config(materialized='table') }}

with src as (
    select * from {{ source('sales', 'orders') }}
)
select id,
       {{ var('amount_col') }} * 2 as doubled,
       nosuch
from src`;
// What the renderer makes of it: the config call renders empty, refs become relations.
const RENDERED = `

with src as (
    select * from "s1"."orders"
)
select id,
       amount * 2 as doubled,
       nosuch
from src`;
// The compiler may also prepend ephemeral CTEs, moving every line down.
const WITH_CTE = `with __dbt__cte__x as (\nselect 1\n), ` + RENDERED.trimStart();

describe("error positions back to the model file", () => {
  it.each([
    ["a plain line", RENDERED, "nosuch", 8],
    ["a line with {{ source() }}", RENDERED, '"orders"', 4],
    ["a line with {{ var() }}", RENDERED, "doubled", 7],
    ["after injected CTEs (lines moved)", WITH_CTE, "nosuch", 8],
  ])("%s", (_, rendered, needle, expected) => {
    const renderedLine = rendered.split("\n").findIndex((l) => l.includes(needle)) + 1;
    expect(modelLineOf(rendered, renderedLine, MODEL)).toBe(expected);
  });

  it("maps a Postgres error position through the statement wrapper", () => {
    const prefix = `create table "x"."m" as select * from (\n`;
    const pos = prefix.length + RENDERED.indexOf("nosuch") + 1;
    expect(mapErrorToModelLine({ position: String(pos) }, prefix, RENDERED, MODEL)).toEqual({ renderedLine: 8, line: 8 });
    expect(mapErrorToModelLine(new Error("no position"), prefix, RENDERED, MODEL)).toEqual({});
  });
});
