import * as http from "http";
import * as https from "https";
import { TLSSocket } from "tls";
import { decryptMessage, encryptMessage, isEncryptedContentType, SOAP_CONTENT_TYPE } from "../../provider/carriers/winrm/encryption";
import * as ntlm from "../../provider/carriers/winrm/ntlm";
import { RequestContext, newMessageId } from "../../provider/carriers/winrm/wsman";
import { TlsIdentity, WsmanServer } from "../support/wsman";

/**
 * A deliberately raw client for testing the server: one keep-alive TCP connection (an agent with a
 * single socket), hand-made Authorization headers, the NTLM functions and the wsman builders —
 * none of the real WinRM client, so the server is tested on its own.
 */

export interface HttpReply {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: Buffer;
    /** The local port of the connection used: equal ports = same TCP connection. */
    readonly localPort: number | undefined;
    /** The server certificate (DER) over HTTPS. */
    readonly peerCertificate: Buffer | undefined;
}

export interface SoapReply {
    readonly status: number;
    readonly xml: string;
    readonly encrypted: boolean;
}

export class RawConnection {
    private readonly agent: http.Agent;
    private session: ntlm.NtlmSessionSecurity | undefined;

    constructor(
        private readonly server: WsmanServer,
        options: { readonly clientCertificate?: TlsIdentity } = {},
    ) {
        this.agent = server.https
            ? new https.Agent({
                  keepAlive: true,
                  maxSockets: 1,
                  ca: server.certificatePem,
                  cert: options.clientCertificate?.cert,
                  key: options.clientCertificate?.key,
              })
            : new http.Agent({ keepAlive: true, maxSockets: 1 });
    }

    /** A request context for the wsman builders. */
    context(operationTimeoutSeconds = 20): RequestContext {
        return { endpoint: this.server.url, messageId: newMessageId(), operationTimeoutSeconds, maxEnvelopeSize: 153600 };
    }

    post(body: Buffer, headers: Readonly<Record<string, string>> = {}, timeoutMs = 10_000): Promise<HttpReply> {
        const url = new URL(this.server.url);
        const module = this.server.https ? https : http;
        return new Promise((resolve, reject) => {
            const request = module.request(
                {
                    host: url.hostname,
                    port: url.port,
                    path: url.pathname,
                    method: "POST",
                    agent: this.agent,
                    headers: { "Content-Length": String(body.length), ...headers },
                },
                (response) => {
                    // Read the socket now: a keep-alive agent takes it back once the body has been read.
                    const socket = response.socket;
                    const chunks: Buffer[] = [];
                    response.on("data", (chunk: Buffer) => chunks.push(chunk));
                    response.on("end", () => {
                        resolve({
                            status: response.statusCode ?? 0,
                            headers: response.headers,
                            body: Buffer.concat(chunks),
                            localPort: socket?.localPort,
                            peerCertificate: socket instanceof TLSSocket ? socket.getPeerCertificate().raw : undefined,
                        });
                    });
                },
            );
            request.setTimeout(timeoutMs, () => request.destroy(new Error(`no response within ${timeoutMs} ms`)));
            request.on("error", reject);
            request.end(body);
        });
    }

    /**
     * The three NTLM legs on this connection. Returns the final reply (200 on success). With
     * `bindToCertificate`, sends the channel bindings of the certificate the server presented.
     */
    async authenticateNtlm(credentials: ntlm.NtlmCredentials, options: { readonly bindToCertificate?: boolean } = {}): Promise<HttpReply> {
        const negotiateMessage = ntlm.createNegotiateMessage();
        const challengeReply = await this.post(Buffer.alloc(0), { Authorization: `Negotiate ${negotiateMessage.toString("base64")}` });
        const header = String(challengeReply.headers["www-authenticate"] ?? "");
        const match = /Negotiate ([A-Za-z0-9+/=]+)/.exec(header);
        if (challengeReply.status !== 401 || match === null) {
            throw new Error(`expected 401 with an NTLM challenge, got ${challengeReply.status} ${header}`);
        }
        const channelBindings =
            options.bindToCertificate === true && challengeReply.peerCertificate !== undefined
                ? ntlm.channelBindingsHash(challengeReply.peerCertificate)
                : undefined;
        const authenticate = ntlm.createAuthenticateMessage({
            credentials,
            negotiateMessage,
            challengeMessage: Buffer.from(match[1], "base64"),
            channelBindings,
        });
        const final = await this.post(Buffer.alloc(0), { Authorization: `Negotiate ${authenticate.message.toString("base64")}` });
        if (final.status === 200) this.session = new ntlm.NtlmSessionSecurity("client", authenticate.exportedSessionKey);
        return final;
    }

    /** Posts a SOAP request, sealed when this connection authenticated with NTLM; unseals the reply. */
    async soap(xml: string, headers: Readonly<Record<string, string>> = {}, timeoutMs?: number): Promise<SoapReply> {
        const plaintext = Buffer.from(xml, "utf8");
        const session = this.session;
        const sealed = session === undefined ? undefined : encryptMessage(session, plaintext);
        const reply =
            sealed === undefined
                ? await this.post(plaintext, { "Content-Type": SOAP_CONTENT_TYPE, ...headers }, timeoutMs)
                : await this.post(sealed.body, { "Content-Type": sealed.contentType, ...headers }, timeoutMs);
        const encrypted = isEncryptedContentType(reply.headers["content-type"]);
        if (encrypted) {
            if (this.session === undefined) throw new Error("encrypted reply on a connection without NTLM");
            return { status: reply.status, xml: decryptMessage(this.session, reply.body).plaintext.toString("utf8"), encrypted };
        }
        return { status: reply.status, xml: reply.body.toString("utf8"), encrypted };
    }

    close(): void {
        this.agent.destroy();
    }
}
