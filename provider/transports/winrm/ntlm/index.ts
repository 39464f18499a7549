/**
 * NTLM for WinRM: the handshake (client.ts for the transport, server.ts for the test server),
 * channel bindings for HTTPS, and session security for sealing message bodies. The lower layers
 * (md4, rc4, ntlmv2, messages, avPairs) are exported from their own files for tests.
 */
export { channelBindingsHash, certificateHashAlgorithm, CertificateHash, tlsServerEndPoint } from "./channelBindings";
export { AuthenticateInput, AuthenticateResult, createAuthenticateMessage, createNegotiateMessage, NtlmCredentials } from "./client";
export { NtlmError, NtlmErrorCode } from "./errors";
export {
    AuthenticatedClient,
    ChallengeOptions,
    createChallengeMessage,
    ServerAccount,
    ServerHandshake,
    verifyAuthenticateMessage,
    VerifyOptions,
} from "./server";
export { deriveSessionKeys, NtlmRole, NtlmSessionSecurity, SealedMessage, SessionKeys } from "./sessionSecurity";
export { NtlmUserName, parseUserName } from "./username";
export { TargetInfo } from "./avPairs";
