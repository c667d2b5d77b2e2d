/**
 * A software WebAuthn authenticator for tests over HTTP (the Chromium tests use the browser's own virtual
 * authenticator through DevTools instead). It makes real P-256 credentials, `none` attestation and ES256
 * assertions with a signature counter, so the server's verification runs for real: challenge, origin,
 * RP ID hash, user-verification flag, counter and signature.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";

type CBOR = number | string | Uint8Array | CBOR[] | Map<CBOR, CBOR>;

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 256) return Buffer.from([(major << 5) | 24, length]);
  if (length < 65536) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}

export function encodeCBOR(value: CBOR): Buffer {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(encodeCBOR)]);
  const parts: Buffer[] = [head(5, value.size)];
  for (const [k, v] of value) parts.push(encodeCBOR(k), encodeCBOR(v));
  return Buffer.concat(parts);
}

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string): Buffer => createHash("sha256").update(data).digest();

export interface SoftCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

export interface SoftAuthenticator {
  /** Answers `navigator.credentials.create(options)` as the browser would serialise it. */
  create(
    options: Record<string, unknown>,
    origin: string,
    overrides?: { userVerified?: boolean },
  ): Record<string, unknown>;
  /** Answers `navigator.credentials.get(options)` with the (only, or given) credential for the RP. */
  get(
    options: Record<string, unknown>,
    origin: string,
    overrides?: { credentialId?: string; userVerified?: boolean; counter?: number },
  ): Record<string, unknown>;
  readonly credentials: SoftCredential[];
}

export function createSoftAuthenticator(): SoftAuthenticator {
  const credentials: SoftCredential[] = [];

  function flags(options: { attested: boolean; userVerified: boolean }): number {
    return 0x01 | (options.userVerified ? 0x04 : 0) | (options.attested ? 0x40 : 0);
  }

  return {
    credentials,

    create(options, origin, overrides = {}) {
      const rp = options.rp as { id: string };
      const user = options.user as { id: string };
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const jwk = publicKey.export({ format: "jwk" }) as { x: string; y: string };
      const cose = encodeCBOR(
        new Map<CBOR, CBOR>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, Buffer.from(jwk.x, "base64url")],
          [-3, Buffer.from(jwk.y, "base64url")],
        ]),
      );
      const credentialId = randomBytes(16);
      const counter = 0;
      const signCount = Buffer.alloc(4);
      signCount.writeUInt32BE(counter);
      const idLength = Buffer.from([credentialId.length >> 8, credentialId.length & 0xff]);
      const authData = Buffer.concat([
        sha256(rp.id),
        Buffer.from([flags({ attested: true, userVerified: overrides.userVerified ?? true })]),
        signCount,
        Buffer.alloc(16),
        idLength,
        credentialId,
        cose,
      ]);
      const attestationObject = encodeCBOR(
        new Map<CBOR, CBOR>([
          ["fmt", "none"],
          ["attStmt", new Map()],
          ["authData", authData],
        ]),
      );
      const clientDataJSON = JSON.stringify({
        type: "webauthn.create",
        challenge: options.challenge,
        origin,
        crossOrigin: false,
      });
      credentials.push({ id: b64url(credentialId), rpId: rp.id, userHandle: user.id, privateKey, counter });
      return {
        id: b64url(credentialId),
        rawId: b64url(credentialId),
        type: "public-key",
        response: {
          clientDataJSON: b64url(clientDataJSON),
          attestationObject: b64url(attestationObject),
          transports: ["internal"],
        },
        clientExtensionResults: {},
        authenticatorAttachment: "platform",
      };
    },

    get(options, origin, overrides = {}) {
      const rpId = String(options.rpId);
      const credential =
        overrides.credentialId === undefined
          ? credentials.find((c) => c.rpId === rpId)
          : credentials.find((c) => c.id === overrides.credentialId);
      if (credential === undefined) throw new Error("no credential for this relying party");
      credential.counter = overrides.counter ?? credential.counter + 1;
      const signCount = Buffer.alloc(4);
      signCount.writeUInt32BE(credential.counter);
      const authData = Buffer.concat([
        sha256(credential.rpId),
        Buffer.from([flags({ attested: false, userVerified: overrides.userVerified ?? true })]),
        signCount,
      ]);
      const clientDataJSON = JSON.stringify({
        type: "webauthn.get",
        challenge: options.challenge,
        origin,
        crossOrigin: false,
      });
      const signature = sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
      return {
        id: credential.id,
        rawId: credential.id,
        type: "public-key",
        response: {
          clientDataJSON: b64url(clientDataJSON),
          authenticatorData: b64url(authData),
          signature: b64url(signature),
          userHandle: credential.userHandle,
        },
        clientExtensionResults: {},
        authenticatorAttachment: "platform",
      };
    },
  };
}
