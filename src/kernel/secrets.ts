import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Keys derived from the one configured secret key (HKDF-SHA256, one purpose each), so a leak of one
 * derived key (say, the code digests) does not give away the others.
 */
export interface KeyRing {
  /** HMAC key for one-time code digests (STYLE rule 5). */
  readonly codeDigest: Buffer;
  /** HMAC key for flow/session token digests. */
  readonly tokenDigest: Buffer;
  /** AES-256-GCM key for secrets we must read back (TOTP seeds). */
  readonly encryption: Buffer;
  /** HMAC key for CSRF tokens. */
  readonly csrf: Buffer;
  /** HMAC key for the proof-of-work CAPTCHA. */
  readonly captcha: Buffer;
  /** HMAC key for decoy data derived from unknown identifiers (stable decoys). */
  readonly decoy: Buffer;
  /**
   * HMAC key for builtin password-history fingerprints: "is this one of the last N passwords?" is a keyed
   * hash comparison instead of N argon2 verifications, so a reset costs one argon2 hash (the new password).
   */
  readonly passwordHistory: Buffer;
}

export function deriveKeyRing(secretKey: string): KeyRing {
  const ikm = Buffer.from(secretKey, "utf8");
  const derive = (info: string): Buffer =>
    Buffer.from(hkdfSync("sha256", ikm, Buffer.from("opensspr-v1"), Buffer.from(info), 32));
  return {
    codeDigest: derive("code-digest"),
    tokenDigest: derive("token-digest"),
    encryption: derive("encryption"),
    csrf: derive("csrf"),
    captcha: derive("captcha"),
    decoy: derive("decoy"),
    passwordHistory: derive("password-history"),
  };
}

export function hmacHex(key: Buffer, ...parts: string[]): string {
  const mac = createHmac("sha256", key);
  for (const part of parts) {
    mac.update(part, "utf8");
    mac.update("\u0000");
  }
  return mac.digest("hex");
}

/** Constant-time comparison of two strings (equal length or not). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** AES-256-GCM; output `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(key: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(
    ".",
  );
}

export function decryptSecret(key: Buffer, sealed: string, associatedData: string): string {
  const [version, iv, tag, ct] = sealed.split(".");
  if (version !== "v1" || iv === undefined || tag === undefined || ct === undefined) {
    throw new Error("unrecognised sealed secret");
  }
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}
