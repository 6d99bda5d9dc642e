// PipeChat tokens: compact HS256 JWTs, the format the server's Auth/TokenValidator checks
// (docs/protocol.md "Connecting"): alg HS256, sub = the user id, exp required, iss/aud when the
// server is configured with them. node:crypto only.
import { createHmac } from 'node:crypto';

const base64url = (value) => Buffer.from(value).toString('base64url');

/** The PipeChat user id rule: 1 to 64 of A–Z a–z 0–9 _ . @ : - */
export const USER_ID_RULE = /^[A-Za-z0-9_.@:-]{1,64}$/;

/**
 * Mints a token for `sub`, valid `ttlSeconds` from `now` (ms). `secret` is the server's
 * --auth-secret (32+ bytes).
 */
export function mintToken({ sub, secret, ttlSeconds, issuer, audience, now = Date.now() }) {
  if (!USER_ID_RULE.test(sub)) {
    throw new Error(`not a PipeChat user id: ${JSON.stringify(sub)}`);
  }
  if (Buffer.byteLength(secret, 'utf8') < 32) {
    throw new Error('the PipeChat auth secret must be at least 32 bytes');
  }
  const iat = Math.floor(now / 1000);
  const payload = { sub, iat, exp: iat + ttlSeconds };
  if (issuer) payload.iss = issuer;
  if (audience) payload.aud = audience;
  const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(head).digest('base64url');
  return { token: `${head}.${signature}`, expiresAt: payload.exp };
}
