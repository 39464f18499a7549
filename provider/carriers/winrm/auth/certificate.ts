import type { Socket } from "net";
import type { WinrmStep } from "../errors";
import { SOAP_CONTENT_TYPE } from "../encryption";
import type { Secrets } from "../options";
import type { ConnectionFacts, HttpResponse, OutgoingRequest } from "./exchange";
import { plainBody } from "./plain";
import type { WinrmAuthentication } from "./types";

/** An HTTPS client certificate mapped to a local account on the server (the TLS handshake authenticates). */
export class CertificateAuthentication implements WinrmAuthentication {
    readonly clientCredentials: { readonly cert?: string; readonly key?: string };
    readonly rejectionHint =
        "the client certificate was not accepted (is it mapped to a user with winrm/config/service/certmapping, and Auth/Certificate enabled?)";

    constructor(private readonly connection: ConnectionFacts, clientCertificate: string | undefined, secrets: Secrets) {
        this.clientCredentials = { cert: clientCertificate, key: secrets.clientKey };
    }

    needsHandshake(): boolean {
        return false;
    }

    async handshake(): Promise<undefined> {
        // TLS authenticates the connection.
    }

    wrap(_socket: Socket, soap: Buffer): OutgoingRequest {
        return {
            headers: { "Content-Type": SOAP_CONTENT_TYPE, Authorization: "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual" },
            body: soap,
        };
    }

    unwrap(response: HttpResponse, step: WinrmStep): Buffer {
        return plainBody(this.connection.host, response, step);
    }
}
