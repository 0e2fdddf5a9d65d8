// A billing system's client, generated from the server's OpenAPI document with stock tools:
//   npx openapi-typescript http://127.0.0.1:5081/swagger/v1/swagger.json -o generated/licensehub.ts
//   npx tsc -p . && node build/client.js
// It buys licenses, assigns one, renews it and lists it, with a reseller API key, and fails on any refusal.
// The types come from the document: a renamed field or route fails the compilation, not only the run.
import createClient from "openapi-fetch";
import type { paths } from "./generated/licensehub.js";

const baseUrl = process.env.LH_URL ?? "http://127.0.0.1:5081";
const apiKey = process.env.LH_API_KEY;
const planId = process.env.LH_PLAN_ID;
if (!apiKey || !planId) {
  console.error("usage: LH_URL=... LH_API_KEY=lh_... LH_PLAN_ID=... node build/client.js");
  process.exit(2);
}

const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` } });

function must<T>(step: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    console.error(`${step}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
    process.exit(1);
  }
  return result.data as T;
}

const run = Date.now().toString(36);
const order = must("buy", await client.POST("/v1/orders", {
  body: { planId, quantity: 2, idempotencyKey: `ts-order-${run}` },
}));
const poolId = order.pool?.id ?? "";

const assigned = must("assign", await client.POST("/v1/pools/{poolId}/licenses", {
  params: { path: { poolId } },
  body: { count: 1, idempotencyKey: `ts-assign-${run}` },
}));
const licenseId = assigned.licenses?.[0]?.license?.id ?? "";
const expiresBefore = assigned.licenses?.[0]?.license?.expiresAt ?? "";

const renewed = must("renew", await client.POST("/v1/licenses/{licenseId}:renew", {
  params: { path: { licenseId } },
  body: { terms: 1, idempotencyKey: `ts-renew-${run}` },
}));
const expiresAfter = renewed.licenses?.[0]?.expiresAt ?? "";

const listed = must("list", await client.GET("/v1/licenses", {
  params: { query: { state: "LICENSE_STATE_ACTIVE", pageSize: 50 } },
}));
const found = (listed.licenses ?? []).some((l) => l.id === licenseId);

console.log(JSON.stringify({
  orderId: order.order?.id, poolAvailable: order.pool?.available, licenseId, expiresBefore, expiresAfter,
  renewalAmountMinor: renewed.order?.amount?.amountMinor, listed: found, totalSize: listed.totalSize,
}));
if (!found || expiresAfter <= expiresBefore) {
  process.exit(1);
}
