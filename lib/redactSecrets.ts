/**
 * Redaction of secrets inside free text, the second line of defence behind the loggers'
 * path-based redaction (pino `redact`), which only covers fields whose name says they
 * hold a secret. Every serialised log line of the gateway and the subgraphs passes
 * through `redactSecrets` (pino's `hooks.streamWrite`), so a credential that ends up in
 * a message, an error text or an unexpected field is replaced too:
 *
 * - anything shaped like a JWT (user tokens, the gateway's internal token);
 * - the credential after `Bearer` / `Basic`, in a header value or a message;
 * - Stripe secret and restricted keys (`sk_…`, `rk_…`) and webhook secrets (`whsec_…`);
 * - the exact values a service is configured with (`secrets`): backend tokens, shared
 *   secrets. Values shorter than 8 characters are not matched by value (a password such
 *   as `admin` would otherwise blank every occurrence of the word); the path-based
 *   redaction covers them.
 *
 * It imports nothing, so services, subgraphs and tests can all use it.
 */

export const REDACTED = '[redacted]';

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  [/\b(Bearer|Basic)(\s+|%20)[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\b(sk|rk)_(test|live)_[A-Za-z0-9]+/g, REDACTED],
  [/\bwhsec_[A-Za-z0-9]+/g, REDACTED],
];

/** Shortest configured secret that is redacted by value. */
export const MIN_SECRET_LENGTH = 8;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Returns a function that redacts the patterns above and the given secret values from a text. */
export function secretRedactor(secrets: ReadonlyArray<string | undefined> = []): (text: string) => string {
  const values = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))];
  // Longest first, so a secret that contains another is replaced whole.
  values.sort((a, b) => b.length - a.length);
  const exact = values.length > 0 ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined;
  return (text) => {
    let out = exact ? text.replace(exact, REDACTED) : text;
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  };
}

/** `secretRedactor()` with no configured values: the patterns only. */
export const redactSecrets = secretRedactor();
