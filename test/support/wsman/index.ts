/**
 * An in-repo WS-Management server that plays a Windows host for end-to-end tests and the
 * benchmark: NTLM and Kerberos (with MS-WSMV message encryption; Kerberos through a python3-gssapi
 * acceptor, test/support/krb5), Basic and certificate authentication over
 * HTTP or HTTPS, the Windows Remote Shell (Create/Command/Send/Receive/Signal/Delete), our
 * PowerShell command lines run by real PowerShell 7 (pwsh) against a scratch Windows folder,
 * latency and fault injection, and counters.
 */
export { startRealPowerShell, startWsmanServer } from "./server";
export type { WsmanServer } from "./server";
export type { AuthMethod, FaultInjection, InjectedFault, PowerShellContext, PowerShellStarter, ProcessResult, RunningProgram, TlsIdentity, WsmanServerOptions, WsmanUser } from "./options";
export type { ShellInfo } from "./shells";
export type { RequestKind, WsmanServerStats } from "./stats";
export { createClientCertificates, createServerIdentity } from "./certificates";
export type { ClientCertificates } from "./certificates";
export { MUTUAL_AUTH_HEADER } from "./authentication";
