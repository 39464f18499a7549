/**
 * WinRM with Kerberos and Negotiate (SPNEGO) through the system's MIT GSSAPI, against a real
 * krb5kdc on loopback and our WS-Management test server, whose Kerberos side is python3-gssapi
 * (it accepts the context and decrypts and encrypts every body itself), with real PowerShell 7
 * running the commands. Every failure is provoked for real: no ticket, an expired one, a wrong
 * password, an unknown service principal, a stopped KDC, a changed response, a server without the
 * mechanism, channel bindings of another certificate.
 */
import * as assert from "assert";
import * as fs from "fs";
import { WinrmCommandRunner, WinrmError, type WinrmConnectionOptions } from "../../../../provider/carriers/winrm";
import { loadGssFunctionsFrom } from "../../../../provider/carriers/winrm/gssapi";
import { prepareInvocation, parseScriptOutput } from "../../../../provider/powershell";
import type { ReadRequest } from "../../../../provider/powershell/protocol";
import { OWN_FIXTURE, scratchCopy } from "../../../support/hostFixture";
import { requireKerberos, startKrb5Realm, withEnvironment, type Krb5Realm } from "../../../support/krb5";
import { requirePwsh } from "../../../support/pwsh";
import { startWsmanServer, type WsmanServer, type WsmanServerOptions } from "../../../support/wsman";

const READ: ReadRequest = { op: "read", location: "Default Web Site" };

describe("WinRM with Kerberos and Negotiate, against a real MIT KDC and a python3-gssapi acceptor", function () {
    this.timeout(120_000);
    let realm: Krb5Realm;
    let restoreEnvironment: (() => void) | undefined;
    let cache: string;
    const servers: WsmanServer[] = [];
    const scratchFolders: string[] = [];
    const runners: WinrmCommandRunner[] = [];
    const messages: string[] = [];

    before(async function () {
        requireKerberos(this);
        requirePwsh(this);
        realm = await startKrb5Realm();
        cache = realm.newCache("deploy");
        await realm.kinit(cache);
        restoreEnvironment = withEnvironment({ ...realm.environment, KRB5CCNAME: cache });
    });
    afterEach(async () => {
        for (const runner of runners.splice(0)) await runner.close().catch(() => undefined);
        for (const server of servers.splice(0)) await server.close();
        for (const folder of scratchFolders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
    });
    after(async () => {
        restoreEnvironment?.();
        for (const message of messages) assert.ok(!message.includes(realm.user.password), `a message holds the password: ${message}`);
        await realm?.close();
    });

    async function serverWith(options: Partial<WsmanServerOptions> = {}): Promise<WsmanServer> {
        const { dir, file } = scratchCopy(OWN_FIXTURE);
        scratchFolders.push(dir);
        const server = await startWsmanServer({
            users: [],
            applicationHostPath: file,
            auth: ["kerberos"],
            kerberos: { keytab: realm.serviceKeytab, environment: realm.environment },
            ...options,
        });
        servers.push(server);
        return server;
    }

    function runnerFor(server: WsmanServer, options: Partial<WinrmConnectionOptions> = {}): WinrmCommandRunner {
        const runner = new WinrmCommandRunner({
            host: "localhost",
            port: server.port,
            https: server.https,
            auth: "negotiate",
            caCertificate: server.certificatePem,
            operationTimeoutSeconds: 20,
            ...options,
        });
        runners.push(runner);
        return runner;
    }

    async function readThrough(runner: WinrmCommandRunner): Promise<string | undefined> {
        const invocation = prepareInvocation(READ);
        const output = await runner.run({ command: invocation.command.command, arguments: [...invocation.command.arguments], stdin: invocation.stdin });
        assert.strictEqual(output.exitCode, 0, output.stderr.toString());
        return parseScriptOutput(READ, output.stdout.toString()).effective.timeout;
    }

    /** The WinrmError a failing run gives, its message kept to check for the password at the end. */
    async function failure(run: Promise<unknown>): Promise<WinrmError> {
        try {
            await run;
        } catch (error) {
            messages.push(String((error as Error).message));
            assert.ok(error instanceof WinrmError, `expected a WinrmError, got ${(error as Error).stack}`);
            return error;
        }
        assert.fail("expected the run to fail");
    }

    for (const auth of ["negotiate", "kerberos"] as const) {
        it(`${auth} over http from the ticket cache: every body encrypted both ways, real PowerShell runs, one context reused`, async () => {
            const server = await serverWith();
            const runner = runnerFor(server, { auth });
            assert.strictEqual(await readThrough(runner), "00:20:00");
            assert.strictEqual(await readThrough(runner), "00:20:00");
            assert.strictEqual(server.stats.kerberosHandshakes, 1, "one context for both commands");
            assert.deepStrictEqual(server.shells().map((shell) => shell.owner), [realm.user.principal], "the acceptor saw the ticket cache's principal");
            assert.strictEqual(server.stats.authenticationFailures, 0);
        });
    }

    it("negotiate with username and password: a ticket got for the operation, no cache written anywhere", async () => {
        const empty = realm.newCache("never-written");
        const restore = withEnvironment({ KRB5CCNAME: empty });
        try {
            const server = await serverWith();
            const before = fs.readdirSync(realm.folder).sort();
            const runner = runnerFor(server, { username: `${realm.user.name}@wsman.test`, password: realm.user.password });
            assert.strictEqual(await readThrough(runner), "00:20:00");
            assert.deepStrictEqual(fs.readdirSync(realm.folder).sort(), before, "no ticket cache (or any file) was written");
            assert.strictEqual(server.stats.kerberosHandshakes, 1);
        } finally {
            restore();
        }
    });

    it("a client keytab (KRB5_CLIENT_KTNAME) logs in when the ticket cache is empty, as MIT's default credentials do", async () => {
        const keytab = await realm.clientKeytab("deploy");
        const restore = withEnvironment({ KRB5CCNAME: realm.newCache("from-keytab"), KRB5_CLIENT_KTNAME: `FILE:${keytab}` });
        try {
            const server = await serverWith();
            assert.strictEqual(await readThrough(runnerFor(server, { auth: "kerberos" })), "00:20:00");
            assert.deepStrictEqual(server.shells().map((shell) => shell.owner), [realm.user.principal]);
        } finally {
            restore();
        }
    });

    for (const auth of ["negotiate", "kerberos"] as const) {
        it(`${auth} over https: the context is bound to the server's certificate (tls-server-end-point)`, async () => {
            const server = await serverWith({ https: true });
            assert.strictEqual(await readThrough(runnerFor(server, { auth })), "00:20:00");
            assert.strictEqual(server.stats.kerberosHandshakes, 1);
        });
    }

    it("delegate: true hands the server a forwardable ticket; without it (or without a forwardable ticket) none is delegated", async () => {
        const forwardable = realm.newCache("forwardable");
        await realm.kinit(forwardable, { forwardable: true });
        const restore = withEnvironment({ KRB5CCNAME: forwardable });
        try {
            const server = await serverWith();
            assert.strictEqual(await readThrough(runnerFor(server, { delegate: true })), "00:20:00");
            assert.strictEqual(server.stats.kerberosDelegations, 1);
            const plain = await serverWith();
            assert.strictEqual(await readThrough(runnerFor(plain)), "00:20:00");
            assert.strictEqual(plain.stats.kerberosDelegations, 0, "no delegation unless asked");
        } finally {
            restore();
        }
        const unforwardable = await serverWith();
        assert.strictEqual(await readThrough(runnerFor(unforwardable, { delegate: true })), "00:20:00", "the login still works");
        assert.strictEqual(unforwardable.stats.kerberosDelegations, 0, "a ticket that is not forwardable cannot be delegated");
    });

    it("a context about to expire is renewed before the next request, without failing the operation", async () => {
        const shortLived = realm.newCache("renewing");
        // Renewed once less than half its life is left: after 10 of its 20 seconds.
        await realm.kinit(shortLived, { lifetime: "20s" });
        const restore = withEnvironment({ KRB5CCNAME: shortLived });
        try {
            const server = await serverWith();
            const runner = runnerFor(server);
            assert.strictEqual(await readThrough(runner), "00:20:00");
            const first = server.stats.kerberosHandshakes;
            await new Promise((resolve) => setTimeout(resolve, 11_000));
            assert.strictEqual(await readThrough(runner), "00:20:00");
            assert.ok(server.stats.kerberosHandshakes > first, `a new context was set up (${server.stats.kerberosHandshakes} handshakes)`);
            assert.strictEqual(server.stats.shellsCreated, 1, "the shell outlives the context it was made under");
            assert.strictEqual(server.stats.authenticationFailures, 0);
        } finally {
            restore();
        }
    });

    it("https: a server expecting the bindings of another certificate refuses the context", async () => {
        const server = await serverWith({ https: true, kerberosChannelBindingsOverride: Buffer.from("tls-server-end-point:another certificate") });
        const error = await failure(readThrough(runnerFor(server)));
        assert.match(error.message, /^localhost:\d+: WinRM Negotiate handshake failed: HTTP 401/);
        assert.match(server.stats.lastAuthenticationFailure ?? "", /channel binding|bindings/i);
    });

    for (const auth of ["negotiate", "kerberos"] as const) {
        it(`${auth}: mutual authentication: a server whose final token is missing or forged is refused before any message reaches it`, async () => {
            const silent = await serverWith({ kerberosFinalToken: "omit" });
            const missing = await failure(readThrough(runnerFor(silent, { auth })));
            assert.match(missing.message, /handshake failed: the server accepted the request without its final Kerberos token, so it could not be verified \(mutual authentication\)/);
            assert.strictEqual(silent.stats.requestsByKind.Create, 0, "no SOAP message was sent");

            const forger = await serverWith({ kerberosFinalToken: "corrupt" });
            const forged = await failure(readThrough(runnerFor(forger, { auth })));
            assert.match(forged.message, /handshake failed while verifying the server's final token \(mutual authentication\): gss_init_sec_context failed: /);
            assert.strictEqual(forger.stats.requestsByKind.Create, 0, "no SOAP message was sent");
        });
    }

    it("no ticket: names the host, the step and says to kinit", async () => {
        const server = await serverWith();
        const restore = withEnvironment({ KRB5CCNAME: realm.newCache("empty") });
        try {
            const error = await failure(readThrough(runnerFor(server)));
            assert.match(error.message, /^localhost:\d+: WinRM Negotiate handshake failed while getting a ticket for HTTP\/localhost: /);
            assert.match(error.message, /no Kerberos ticket: run kinit/);
        } finally {
            restore();
        }
    });

    it("an expired ticket: says it expired", async () => {
        const server = await serverWith();
        const shortLived = realm.newCache("short");
        await realm.kinit(shortLived, { lifetime: "2s" });
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const restore = withEnvironment({ KRB5CCNAME: shortLived });
        try {
            const error = await failure(readThrough(runnerFor(server, { auth: "kerberos" })));
            assert.match(error.message, /^localhost:\d+: WinRM Kerberos handshake failed while getting a ticket for HTTP\/localhost: /);
            assert.match(error.message, /expired/i);
        } finally {
            restore();
        }
    });

    it("a wrong password: says so, and the password is in no message", async () => {
        const server = await serverWith();
        const error = await failure(readThrough(runnerFor(server, { username: realm.user.principal, password: `${realm.user.password}x` })));
        assert.match(error.message, /^localhost:\d+: WinRM Negotiate handshake failed while getting credentials: /);
        assert.match(error.message, /wrong password/);
        assert.ok(!error.message.includes(realm.user.password));
    });

    it("an unknown service principal: names it and points at the spn setting", async () => {
        const server = await serverWith();
        const error = await failure(readThrough(runnerFor(server, { spn: "HTTP/unregistered.wsman.test" })));
        assert.match(error.message, /^localhost:\d+: WinRM Negotiate handshake failed while getting a ticket for HTTP\/unregistered\.wsman\.test: /);
        assert.match(error.message, /no such service principal/);
    });

    it("the KDC unreachable (stopped): says no KDC answered", async () => {
        const server = await serverWith();
        await realm.stopKdc();
        try {
            const error = await failure(readThrough(runnerFor(server, { username: realm.user.principal, password: realm.user.password })));
            assert.match(error.message, /^localhost:\d+: WinRM Negotiate handshake failed while getting credentials: /);
            assert.match(error.message, /no KDC of the realm answered/);
        } finally {
            await realm.startKdc();
        }
    });

    it("a response changed on the way fails its integrity check, and the connection is dropped", async () => {
        const server = await serverWith();
        const runner = runnerFor(server);
        assert.strictEqual(await readThrough(runner), "00:20:00");
        server.injectFaults({ onNextReceive: "tampered" });
        const error = await failure(readThrough(runner));
        assert.strictEqual(error.problem, "integrity");
        assert.match(error.message, /^localhost:\d+: WinRM Receive failed: the HTTP 200 response failed its Kerberos integrity check/);
        // The next operation authenticates again on a new connection.
        assert.strictEqual(await readThrough(runner), "00:20:00");
        assert.strictEqual(server.stats.kerberosHandshakes, 2);
    });

    it("a server that does not offer the mechanism: says which schemes it offers", async () => {
        const server = await serverWith({ auth: ["ntlm"], users: [{ username: "deploy", password: "unused-Passw0rd" }] });
        const error = await failure(readThrough(runnerFor(server, { auth: "kerberos" })));
        assert.match(error.message, /^localhost:\d+: WinRM Kerberos handshake failed: the server refused the Kerberos mechanism: it offers Negotiate/);
    });

    it("a missing GSSAPI library gives an error naming libgssapi_krb5.so.2 and how to install it", () => {
        assert.throws(
            () => loadGssFunctionsFrom("libgssapi_krb5.so.0-not-installed"),
            (error: Error) =>
                /libgssapi_krb5\.so\.2/.test(error.message) && /apt-get install libgssapi-krb5-2/.test(error.message) && /dnf install krb5-libs/.test(error.message),
        );
    });
});
