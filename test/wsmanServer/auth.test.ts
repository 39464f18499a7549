import * as assert from "assert";
import { SOAP_CONTENT_TYPE } from "../../provider/carriers/winrm/encryption";
import * as wsman from "../../provider/carriers/winrm/wsman";
import { ClientCertificates, MUTUAL_AUTH_HEADER, TlsIdentity, WsmanServer, createClientCertificates, createServerIdentity } from "../support/wsman";
import { VAGRANT, startTestServer } from "./fixtures";
import { RawConnection } from "./rawClient";

const host = { host: "127.0.0.1" };
const basic = (username: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` });

describe("WS-Man test server: Basic, certificate and HTTPS NTLM authentication", () => {
    let serverIdentity: TlsIdentity;
    let clientCertificates: ClientCertificates;
    let server: WsmanServer | undefined;
    const connections: RawConnection[] = [];

    before(async () => {
        // One server certificate and one client CA for the whole suite: openssl runs cost ~20 ms each.
        [serverIdentity, clientCertificates] = await Promise.all([createServerIdentity(), createClientCertificates("vagrant")]);
    });
    afterEach(async () => {
        for (const connection of connections.splice(0)) connection.close();
        await server?.close();
        server = undefined;
    });
    function connect(options: ConstructorParameters<typeof RawConnection>[1] = {}): RawConnection {
        assert.ok(server !== undefined);
        const connection = new RawConnection(server, options);
        connections.push(connection);
        return connection;
    }

    it("accepts Basic over HTTPS on every request, and refuses a wrong password", async () => {
        ({ server } = await startTestServer({ https: true, tls: serverIdentity, auth: ["basic"] }));
        const connection = connect();
        const anonymous = await connection.post(Buffer.alloc(0));
        assert.strictEqual(anonymous.status, 401);
        assert.strictEqual(anonymous.headers["www-authenticate"], 'Basic realm="WSMAN"');

        const create = wsman.buildCreateShell(connection.context());
        const created = await connection.soap(create.xml, basic("vagrant", "vagrant"));
        assert.strictEqual(created.status, 200);
        assert.strictEqual(created.encrypted, false);
        const { shellId } = wsman.readCreateResponse(created.xml, host);
        const del = await connection.soap(wsman.buildDeleteShell(connection.context(), shellId).xml, basic("VAGRANT", "vagrant"));
        assert.strictEqual(del.status, 200, "user names compare case-insensitively");

        const wrong = await connection.soap(wsman.buildCreateShell(connection.context()).xml, basic("vagrant", "guess"));
        assert.strictEqual(wrong.status, 401);
        assert.strictEqual(wrong.xml, "");
        const none = await connection.soap(wsman.buildCreateShell(connection.context()).xml);
        assert.strictEqual(none.status, 401, "Basic does not authenticate the connection");
    });

    it("refuses Basic over HTTP and does not advertise it, unless AllowUnencrypted", async () => {
        ({ server } = await startTestServer({ auth: ["ntlm", "basic"] }));
        const overHttp = connect();
        const refused = await overHttp.soap(wsman.buildCreateShell(overHttp.context()).xml, basic("vagrant", "vagrant"));
        assert.strictEqual(refused.status, 401);
        assert.strictEqual(server.stats.shellsCreated, 0);
        const challenge = await connect().post(Buffer.alloc(0));
        assert.strictEqual(challenge.headers["www-authenticate"], "Negotiate");
        await server.close();

        ({ server } = await startTestServer({ auth: ["basic"], allowUnencrypted: true }));
        const unencrypted = connect();
        const allowed = await unencrypted.soap(wsman.buildCreateShell(unencrypted.context()).xml, basic("vagrant", "vagrant"));
        assert.strictEqual(allowed.status, 200);
    });

    it("accepts a client certificate issued by clientCa with the mutual-auth header, mapped by CN", async () => {
        ({ server } = await startTestServer({ https: true, tls: serverIdentity, auth: ["certificate"], clientCa: clientCertificates.caCert }));
        const withCertificate = connect({ clientCertificate: clientCertificates.client });
        const created = await withCertificate.soap(wsman.buildCreateShell(withCertificate.context()).xml, { Authorization: MUTUAL_AUTH_HEADER });
        assert.strictEqual(created.status, 200);
        assert.strictEqual(server.shells()[0].owner, VAGRANT.username);

        const without = connect();
        const refused = await without.soap(wsman.buildCreateShell(without.context()).xml, { Authorization: MUTUAL_AUTH_HEADER });
        assert.strictEqual(refused.status, 401);
        const headerless = await withCertificate.soap(wsman.buildCreateShell(withCertificate.context()).xml);
        assert.strictEqual(headerless.status, 401, "the certificate alone is not enough: pywinrm and Windows send the header");
    });

    it("requires TLS channel bindings for NTLM over HTTPS when asked (CbtHardeningLevel=Strict)", async () => {
        ({ server } = await startTestServer({ https: true, tls: serverIdentity, requireChannelBinding: true }));
        assert.strictEqual((await connect().authenticateNtlm(VAGRANT)).status, 401);
        assert.strictEqual(server.stats.authenticationFailures, 1);

        const bound = connect();
        assert.strictEqual((await bound.authenticateNtlm(VAGRANT, { bindToCertificate: true })).status, 200);
        const created = await bound.soap(wsman.buildCreateShell(bound.context()).xml);
        assert.strictEqual(created.encrypted, true, "sealing is still possible over HTTPS");
        wsman.readCreateResponse(created.xml, host);
    });

    it("takes unsealed SOAP on an NTLM connection over HTTPS (pywinrm's message_encryption='auto')", async () => {
        ({ server } = await startTestServer({ https: true, tls: serverIdentity }));
        const connection = connect();
        assert.strictEqual((await connection.authenticateNtlm(VAGRANT)).status, 200, "Relaxed: bindings are optional");
        const reply = await connection.post(Buffer.from(wsman.buildCreateShell(connection.context()).xml), { "Content-Type": SOAP_CONTENT_TYPE });
        assert.strictEqual(reply.status, 200);
        wsman.readCreateResponse(reply.body.toString(), host);
    });
});
