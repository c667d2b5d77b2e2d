/**
 * Confirming a registration with a code (email address, mobile number): the code redeemed for
 * `enroll:<id>` turns the pending enrollment active and replaces the user's earlier one of the same method,
 * in one transaction. Shared by the email and phone methods.
 */
import { AppError } from "../errors/app-error.ts";
import type { MethodId } from "../store/types.ts";
import { type MethodDeps, stringField } from "./deps.ts";
import type { EnrollConfirmOutcome, EnrollContext } from "./method.ts";

export function enrollCodePurpose(enrollmentId: string): string {
  return `enroll:${enrollmentId}`;
}

export async function confirmCodeEnrollment(
  deps: Pick<MethodDeps, "stores" | "clock" | "codes">,
  ctx: EnrollContext,
  enrollmentId: string,
  input: unknown,
  method: MethodId,
): Promise<EnrollConfirmOutcome> {
  const row = await deps.stores.enrollments.get(enrollmentId);
  if (row === null || row.userId !== ctx.user.id || row.method !== method) throw new AppError("ENROLLMENT_NOT_FOUND");
  if (row.status === "active") return { kind: "active", enrollmentId };
  const result = await deps.codes.redeem(enrollCodePurpose(enrollmentId), stringField(input, "code") ?? "");
  switch (result.kind) {
    case "redeemed": {
      const now = deps.clock.now();
      await deps.stores.transaction(async (tx) => {
        for (const other of await tx.enrollments.listForUser(ctx.user.id)) {
          if (other.method === method && other.id !== enrollmentId) await tx.enrollments.delete(other.id);
        }
        await tx.enrollments.update(enrollmentId, { status: "active", confirmedAt: now });
      });
      return { kind: "active", enrollmentId };
    }
    case "mismatch":
      return { kind: "rejected", message: "method.code.mismatch", attemptsLeft: result.attemptsLeft };
    case "expired":
      return { kind: "exhausted", message: "method.code.expired" };
    default:
      return { kind: "exhausted", message: "method.code.exhausted" };
  }
}
