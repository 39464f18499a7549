/**
 * NTLM for WinRM: the handshake (client.ts; the server side is test/support/wsman/ntlmServer.ts), channel bindings for HTTPS, and session security for sealing message bodies. The lower
 * layers (md4, rc4, ntlmv2, messages, avPairs) are imported from their own files by tests only.
 */
export { certificateHashAlgorithm, channelBindingsHash, tlsServerEndPoint } from "./channelBindings";
export type { CertificateHash } from "./channelBindings";
export { createAuthenticateMessage, createNegotiateMessage } from "./client";
export type { AuthenticateInput, AuthenticateResult, NtlmCredentials } from "./client";
export { NtlmError } from "./errors";
export type { NtlmErrorCode } from "./errors";
export { deriveSessionKeys, NtlmSessionSecurity } from "./sessionSecurity";
export type { NtlmRole, SealedMessage, SessionKeys } from "./sessionSecurity";
export { parseUserName } from "./username";
export type { NtlmUserName } from "./username";
export type { TargetInfo } from "./avPairs";
