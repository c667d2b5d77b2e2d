import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with OWASP's second recommended configuration (m=19 MiB, t=2, p=1).
 * Used for builtin passwords and security-question answers.
 */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export interface PasswordHasher {
  hash(secret: string): Promise<string>;
  verify(encoded: string, secret: string): Promise<boolean>;
}

export function createArgon2Hasher(params: Argon2Params = OWASP_ARGON2ID): PasswordHasher {
  return {
    // algorithm 2 = Argon2id in @node-rs/argon2's enum
    hash: (secret) => hash(secret, { ...params, algorithm: 2 }),
    verify: async (encoded, secret) => {
      try {
        return await verify(encoded, secret);
      } catch {
        return false;
      }
    },
  };
}

/** A precomputed hash to verify against when the account is unknown, so timing does not tell. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(hasher: PasswordHasher): Promise<string> {
  dummyHash ??= hasher.hash("opensspr-dummy-password-for-timing");
  return dummyHash;
}
