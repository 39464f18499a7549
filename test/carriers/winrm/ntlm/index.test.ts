import * as assert from "assert";
import { decryptMessage, encryptMessage } from "../../../../provider/carriers/winrm/encryption";
import * as ntlm from "../../../../provider/carriers/winrm/ntlm";
import { createChallengeMessage, verifyAuthenticateMessage } from "../../../support/wsman/ntlmServer";

/**
 * The whole flow through the public API only, as the HTTP transport (client) and the WS-Man test
 * server use it: base64 tokens in Authorization / WWW-Authenticate headers, then sealed bodies.
 */
describe("NTLM public API (ntlm/index.ts) end to end", () => {
    it("authenticates over base64 tokens and then exchanges encrypted SOAP both ways", () => {
        const account = { username: "WIN-TEST\\vagrant", password: "vagrant" };

        // Client → server: Authorization: Negotiate <type 1>
        const negotiateMessage = ntlm.createNegotiateMessage();
        const type1 = negotiateMessage.toString("base64");

        // Server → client: 401, WWW-Authenticate: Negotiate <type 2>
        const handshake = createChallengeMessage(Buffer.from(type1, "base64"), {
            netbiosComputerName: "WIN-TEST",
            netbiosDomainName: "WIN-TEST",
        });
        const type2 = handshake.challengeMessage.toString("base64");

        // Client → server: Authorization: Negotiate <type 3>
        const client = ntlm.createAuthenticateMessage({
            credentials: account,
            negotiateMessage,
            challengeMessage: Buffer.from(type2, "base64"),
        });
        const type3 = client.message.toString("base64");
        const server = verifyAuthenticateMessage(Buffer.from(type3, "base64"), handshake, account);
        assert.strictEqual(server.micVerified, true);

        const clientSession = new ntlm.NtlmSessionSecurity("client", client.exportedSessionKey);
        const serverSession = new ntlm.NtlmSessionSecurity("server", server.exportedSessionKey);
        const request = Buffer.from("<s:Envelope><s:Body><rsp:Shell/></s:Body></s:Envelope>");
        const response = Buffer.from("<s:Envelope><s:Body><x:ResourceCreated/></s:Body></s:Envelope>");
        for (let n = 0; n < 3; n++) {
            assert.deepStrictEqual(decryptMessage(serverSession, encryptMessage(clientSession, request).body).plaintext, request);
            assert.deepStrictEqual(decryptMessage(clientSession, encryptMessage(serverSession, response).body).plaintext, response);
        }
    });

    it("reports a wrong password as an NtlmError the server can map to 401", () => {
        const negotiateMessage = ntlm.createNegotiateMessage();
        const handshake = createChallengeMessage(negotiateMessage, { netbiosComputerName: "S", netbiosDomainName: "S" });
        const { message } = ntlm.createAuthenticateMessage({
            credentials: { username: "user", password: "guess" },
            negotiateMessage,
            challengeMessage: handshake.challengeMessage,
        });
        assert.throws(
            () => verifyAuthenticateMessage(message, handshake, { username: "user", password: "right" }),
            (error) => error instanceof ntlm.NtlmError && error.code === "wrong-password" && !error.message.includes("guess"),
        );
    });
});
