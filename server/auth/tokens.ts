// Random secrets and their stored form. Tokens carry 160 bits of entropy; only SHA-256 hashes
// reach the database.
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

const TOKEN_BYTES = 20;
export const API_KEY_PREFIX = "dmk_";

function randomToken(): string {
  const bytes = new Uint8Array(TOKEN_BYTES);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/**
 * What the audit log records of a refused credential: 16 hex digits of a domain-separated SHA-256,
 * enough to see the same value tried again, never the value. It is not hashToken(): the audit log
 * must not hold the lookup key of sessions or API keys. (Tokens carry 160 random bits, so their
 * fingerprint cannot be reversed; a low-entropy value in a malformed header could be confirmed by
 * guessing, as with any hash.)
 */
export function credentialFingerprint(value: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(`datamigrate/audit/credential-fingerprint/v1\n${value}`))).slice(0, 16);
}

export function generateSessionToken(): string {
  return randomToken();
}

/** API keys are recognisable by their prefix, so that a Bearer value is routed without a lookup race. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomToken();
}

export function isApiKey(bearer: string): boolean {
  return bearer.startsWith(API_KEY_PREFIX);
}

/** Enough of the key to recognise it in a list, far too little to guess the rest. */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}
