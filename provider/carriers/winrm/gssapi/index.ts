/**
 * The system's GSSAPI (MIT Kerberos) for WinRM's Kerberos and Negotiate authentication: a koffi
 * binding to libgssapi_krb5.so.2, loaded on first use.
 */
export { GssCredential, InitiatorContext, type CredentialSource, type GssMechanism, type InitiatorOptions } from "./context";
export { GssapiUnavailableError, INSTALL_HINT, LIBRARY_NAME, loadGssFunctionsFrom } from "./library";
export { GssapiError, type GssProblem } from "./status";
