import type { Socket } from "net";
import type { WinrmStep } from "../errors";
import { SOAP_CONTENT_TYPE } from "../encryption";
import type { Secrets } from "../options";
import type { ConnectionFacts, HttpResponse, OutgoingRequest } from "./exchange";
import { plainBody } from "./plain";
import type { WinrmAuthentication } from "./types";

/** HTTP Basic on every request: local accounts only, and (checked by the target) HTTPS only. */
export class BasicAuthentication implements WinrmAuthentication {
    readonly clientCredentials = {};
    readonly rejectionHint: string;

    constructor(private readonly connection: ConnectionFacts, private readonly username: string, private readonly secrets: Secrets) {
        this.rejectionHint =
            `authentication failed for user "${username}" (auth basic): wrong user name or password, ` +
            "or the account may not use WinRM (Basic needs a local account and Auth/Basic=true)";
    }

    needsHandshake(): boolean {
        return false;
    }

    async handshake(): Promise<undefined> {
        // Basic authenticates each request.
    }

    wrap(_socket: Socket, soap: Buffer): OutgoingRequest {
        const token = Buffer.from(`${this.username}:${this.secrets.password ?? ""}`, "utf8").toString("base64");
        return { headers: { "Content-Type": SOAP_CONTENT_TYPE, Authorization: `Basic ${token}` }, body: soap };
    }

    unwrap(response: HttpResponse, step: WinrmStep): Buffer {
        return plainBody(this.connection.host, response, step);
    }
}
