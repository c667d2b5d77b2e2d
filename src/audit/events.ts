/**
 * The closed list of audit activities: the reference's names (§8.1) plus OpenSSPR's own admin events.
 * Reasons for "flow activity progress" come from §8.2 (`FLOW_REASONS`).
 */
export const AUDIT_ACTIVITIES = {
  policyChanged: { name: "Self-service password reset policy changes", service: "Self-service Password Management" },
  blocked: { name: "Blocked from self-service password reset", service: "Self-service Password Management" },
  changePassword: { name: "Change password (self-service)", service: "Self-service Password Management" },
  resetByAdmin: { name: "Reset password (by admin)", service: "Self-service Password Management" },
  resetSelfService: { name: "Reset password (self-service)", service: "Self-service Password Management" },
  flowProgress: {
    name: "Self-service password reset flow activity progress",
    service: "Self-service Password Management",
  },
  unlockSelfService: { name: "Unlock user account (self-service)", service: "Self-service Password Management" },
  registeredForSSPR: {
    name: "User registered for self-service password reset",
    service: "Self-service Password Management",
  },
  registeredAll: { name: "User registered all required security info", service: "Authentication Methods" },
  registeredInfo: { name: "User registered security info", service: "Authentication Methods" },
  reviewedInfo: { name: "User reviewed security info", service: "Authentication Methods" },
  deletedInfo: { name: "User deleted security info", service: "Authentication Methods" },
  changedDefaultInfo: { name: "User changed default security info", service: "Authentication Methods" },
  // OpenSSPR administration (not in the reference; same shape).
  adminSignIn: { name: "Administrator signed in", service: "Core Directory" },
  portalSignIn: { name: "User signed in to the password portal", service: "Core Directory" },
  userCreated: { name: "Add user", service: "Core Directory" },
  userUpdated: { name: "Update user", service: "Core Directory" },
  userDisabled: { name: "Disable account", service: "Core Directory" },
  groupCreated: { name: "Add group", service: "Core Directory" },
  groupMemberAdded: { name: "Add member to group", service: "Core Directory" },
  groupMemberRemoved: { name: "Remove member from group", service: "Core Directory" },
  usersImported: { name: "Import users", service: "Core Directory" },
  blockCleared: { name: "Unblock user from self-service password reset", service: "Self-service Password Management" },
  contactAdmin: { name: "User contacted an administrator", service: "Self-service Password Management" },
  authDataSetByAdmin: { name: "Admin registered security info", service: "Authentication Methods" },
  apiKeyCreated: { name: "Create admin API key", service: "Core Directory" },
  apiKeyRevoked: { name: "Revoke admin API key", service: "Core Directory" },
  brandingChanged: { name: "Update portal branding", service: "Self-service Password Management" },
  adminSetupCompleted: { name: "First administrator set up", service: "Core Directory" },
  phoneCapReached: { name: "SMS or voice sending cap reached", service: "Self-service Password Management" },
} as const satisfies Record<
  string,
  { name: string; service: "Self-service Password Management" | "Authentication Methods" | "Core Directory" }
>;

export type AuditActivityKey = keyof typeof AUDIT_ACTIVITIES;

/** §8.2 vocabulary for flow progress (and the failure reasons of eligibility). */
export const FLOW_REASONS = {
  submittedUserId: "User submitted their user ID",
  startedEmail: "User started the email verification",
  completedEmail: "User completed the email verification",
  startedSMS: "User started the mobile SMS verification",
  completedSMS: "User completed the mobile SMS verification",
  startedVoiceMobile: "User started the mobile voice call verification",
  completedVoiceMobile: "User completed the mobile voice call verification",
  startedVoiceOffice: "User started the office voice call verification",
  completedVoiceOffice: "User completed the office voice call verification",
  startedAppCode: "User started the mobile app code verification",
  completedAppCode: "User completed the mobile app code verification",
  startedQuestions: "User started the security questions verification",
  completedQuestions: "User completed the security questions verification",
  startedPasskey: "User started the passkey verification",
  completedPasskey: "User completed the passkey verification",
  completedAll: "User completed all verification steps required",
  submittedPassword: "User submitted a new password",
  resetSucceeded: "User successfully reset password",
  unlockSucceeded: "User successfully unlocked account",
  notEnabled:
    "Password reset is not enabled for this user. Enable password reset under the configure tab to resolve this",
  tenantDisabled: "Password reset has been disabled entirely for this tenant.",
  notInGroup:
    "This user is not a member of the password reset users group. Add this user to that group to resolve this.",
  insufficientMethods:
    "User's account has insufficient authentication methods defined. Add authentication info to resolve this",
  unknownAccount: "No account matches the submitted user ID",
  disabledAccount: "The account is disabled",
  protectedAccount: "The account is a protected administrator account and cannot be reset by the service account",
  onPremisesUnreachable: "We could not reach your on-premises password reset service.",
  onPremisesProblem: "We encountered a problem while resetting the user's on-premises password.",
  fuzzyPolicy: "FuzzyPolicyViolationInvalidPassword",
} as const;
