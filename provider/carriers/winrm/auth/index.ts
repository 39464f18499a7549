/** The WinRM authentication schemes, each a piece the HTTP connection (../http.ts) plugs in. */
import type { ResolvedWinrmOptions } from "../options";
import { BasicAuthentication } from "./basic";
import { CertificateAuthentication } from "./certificate";
import { KerberosAuthentication } from "./kerberos";
import { NtlmAuthentication } from "./ntlm";
import type { WinrmAuthentication } from "./types";

export type { WinrmAuthentication } from "./types";
export { NotAuthenticated, type CarriedRequest, type Exchange, type ExchangeResult, type HttpResponse, type OutgoingRequest } from "./exchange";

/** The piece for the options' scheme. */
export function authenticationFor(options: ResolvedWinrmOptions): WinrmAuthentication {
    const connection = { host: options.displayName, https: options.https };
    switch (options.auth) {
        case "ntlm":
            return new NtlmAuthentication(connection, options.username ?? "", options.secrets, options.workstation);
        case "basic":
            return new BasicAuthentication(connection, options.username ?? "", options.secrets);
        case "certificate":
            return new CertificateAuthentication(connection, options.clientCertificate, options.secrets);
        case "kerberos":
        case "negotiate":
            return new KerberosAuthentication(connection, {
                scheme: options.auth,
                servicePrincipal: options.servicePrincipal,
                username: options.username,
                secrets: options.secrets,
                delegate: options.delegate,
            });
    }
}
