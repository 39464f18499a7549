/**
 * NTLM for WinRM: the handshake (client.ts for the HTTP transport, server.ts for the test
 * server), channel bindings for HTTPS, and session security for sealing message bodies. The lower
 * layers (md4, rc4, ntlmv2, messages, avPairs) are imported from their own files by tests only.
 */
export { certificateHashAlgorithm, channelBindingsHash, tlsServerEndPoint } from "./channelBindings";
export type { CertificateHash } from "./channelBindings";
export { createAuthenticateMessage, createNegotiateMessage } from "./client";
export type { AuthenticateInput, AuthenticateResult, NtlmCredentials } from "./client";
export { NtlmError } from "./errors";
export type { NtlmErrorCode } from "./errors";
export { createChallengeMessage, verifyAuthenticateMessage } from "./server";
export type { AuthenticatedClient, ChallengeOptions, ServerAccount, ServerHandshake, VerifyOptions } from "./server";
export { deriveSessionKeys, NtlmSessionSecurity } from "./sessionSecurity";
export type { NtlmRole, SealedMessage, SessionKeys } from "./sessionSecurity";
export { parseUserName } from "./username";
export type { NtlmUserName } from "./username";
export type { TargetInfo } from "./avPairs";
