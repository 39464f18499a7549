import * as assert from "assert";
import { createHash } from "crypto";
import * as net from "net";
import { inspect } from "util";
import { WinrmCommandRunner, WinrmConnectionOptions, WinrmError } from "../../../provider/carriers/winrm";
import { FAULT_CODE, WsmanFault, WsmanProtocolError } from "../../../provider/carriers/winrm/wsman";
import { MiniServerOptions, MiniWinrmServer } from "./miniServer";
import { createTestPki, TestPki } from "./testPki";
import { closedPort } from "../../support/network";

/**
 * The WinRM client against an in-process server on 127.0.0.1 that plays Windows' part: NTLM,
 * MS-WSMV encryption, TLS, the cmd shell. Every error message is also checked for the password.
 */

const PASSWORD = "S3cret-Passw0rd!";
const ACCOUNT = { username: "WIN-TEST\\deploy", password: PASSWORD };
const COMMAND = { command: "powershell.exe", arguments: ["-NoProfile", "-EncodedCommand", "AAAA"] };

/** Fast timeouts so failure tests finish quickly; readTimeoutMs must exceed the OperationTimeout. */
const QUICK = { operationTimeoutSeconds: 1, readTimeoutMs: 1500, connectTimeoutMs: 1500 } as const;

describe("WinRM client (shell.ts, http.ts) against an in-process server", function () {
    let pki: TestPki;
    const servers: MiniWinrmServer[] = [];
    const runners: WinrmCommandRunner[] = [];

    before(function () {
        pki = createTestPki();
    });

    afterEach(async function () {
        await Promise.all(runners.splice(0).map((runner) => runner.close().catch(() => undefined)));
        await Promise.all(servers.splice(0).map((server) => server.stop()));
    });

    async function serve(options: Partial<MiniServerOptions> = {}): Promise<MiniWinrmServer> {
        const server = await MiniWinrmServer.start({ auth: "ntlm", account: ACCOUNT, ...options });
        servers.push(server);
        return server;
    }

    function connect(server: MiniWinrmServer, options: Partial<WinrmConnectionOptions> = {}): WinrmCommandRunner {
        const runner = new WinrmCommandRunner({ https: false, auth: "ntlm", ...server.address, username: ACCOUNT.username, password: PASSWORD, ...options });
        runners.push(runner);
        return runner;
    }

    /** The rejection of `promise`, checked to be free of the password. */
    async function failure(promise: Promise<unknown>): Promise<Error> {
        try {
            await promise;
        } catch (error) {
            assert.ok(error instanceof Error, `expected an Error, got ${inspect(error)}`);
            assert.ok(!error.message.includes(PASSWORD), `the message contains the password: ${error.message}`);
            assert.ok(!inspect(error).includes(PASSWORD), "the inspected error contains the password");
            return error;
        }
        assert.fail("expected the promise to reject");
    }

    describe("NTLM over HTTP with message encryption", function () {
        it("runs a command end to end: handshake, sealed bodies both ways, stdout and exit code", async function () {
            const server = await serve({
                program: (command) => ({ stdout: `hello from ${command.command} ${command.arguments.join(" ")}\r\n`, stderr: "warn\r\n", exitCode: 3 }),
            });
            const runner = connect(server);
            const output = await runner.run(COMMAND);
            assert.strictEqual(output.stdout.toString("utf8"), "hello from powershell.exe -NoProfile -EncodedCommand AAAA\r\n");
            assert.strictEqual(output.stderr.toString("utf8"), "warn\r\n");
            assert.strictEqual(output.exitCode, 3);
            const soap = server.log.filter((entry) => !entry.kind.startsWith("handshake"));
            assert.ok(soap.length >= 3);
            assert.ok(soap.every((entry) => entry.encrypted), "every SOAP request was sealed");
            assert.deepStrictEqual(server.log.slice(0, 2).map((entry) => entry.kind), ["handshake-negotiate", "handshake-authenticate"]);
            assert.ok(server.log.every((entry) => entry.connection === 1), "one connection for everything");
        });

        it("sends the Create sealed on the NTLM AUTHENTICATE: a cold run is 4 requests before its output, then the Signal", async function () {
            const server = await serve();
            const runner = connect(server);
            const output = await runner.run(COMMAND);
            assert.match(output.stdout.toString(), /^ran /);
            assert.deepStrictEqual(server.log.slice(0, 3).map((entry) => [entry.kind, entry.encrypted]), [
                ["handshake-negotiate", false],
                ["handshake-authenticate", false],
                ["Create", true],
            ]);
            // NEGOTIATE, AUTHENTICATE + Create, Command, Receive, and the deferred Signal once it is answered.
            await runner.close();
            assert.strictEqual(server.httpRequests, 6, "5 requests for the run (the Signal included), then the Delete");
            assert.strictEqual(server.requests("Create").length, 1);
            assert.strictEqual(server.shells.size, 0);
        });

        it("a server that answers the AUTHENTICATE with an empty 200, ignoring its body: the Create goes again, sealed from a fresh session", async function () {
            const server = await serve({ bodyOnAuthenticate: "ignore" });
            const runner = connect(server);
            const output = await runner.run(COMMAND);
            assert.match(output.stdout.toString(), /^ran /);
            assert.deepStrictEqual(server.log.slice(0, 3).map((entry) => entry.kind), ["handshake-negotiate", "handshake-authenticate", "Create"]);
            assert.strictEqual(server.requests("Create").length, 1, "the server took one Create");
            await runner.run(COMMAND);
            await runner.close();
            assert.strictEqual(server.connections, 1);
            assert.strictEqual(server.shells.size, 0);
        });

        it("creates the shell with UTF-8, no profile and a short IdleTimeOut, and runs commands through cmd.exe", async function () {
            const server = await serve();
            await connect(server).run(COMMAND);
            const create = server.creates[0];
            assert.strictEqual(create.options.WINRS_CODEPAGE, "65001");
            assert.strictEqual(create.options.WINRS_NOPROFILE, "TRUE");
            assert.strictEqual(create.idleTimeoutSeconds, 120);
            assert.strictEqual(create.operationTimeoutSeconds, 20);
            const command = server.commands[0].request;
            // Through cmd.exe (WinRS's default): it expands %SystemRoot% in the PowerShell path.
            assert.strictEqual(command.options.WINRS_SKIP_CMD_SHELL, "FALSE");
            assert.strictEqual(command.command, "powershell.exe");
            assert.deepStrictEqual(command.arguments, COMMAND.arguments);
        });

        it("concatenates output chunks spread over several Receive responses", async function () {
            const text = "line one\r\nline two\r\nline three, with ü and ✓\r\n";
            const server = await serve({ receiveResponses: 3, program: () => ({ stdout: text }) });
            const runner = connect(server);
            const output = await runner.run(COMMAND);
            assert.strictEqual(output.stdout.toString("utf8"), text);
            assert.strictEqual(server.requests("Receive").length, 3);
        });

        it("reuses the connection and the shell: a warm run is Command, Receive and Signal, with no handshake", async function () {
            const server = await serve();
            const runner = connect(server);
            await runner.run(COMMAND);
            assert.strictEqual(server.requests("handshake-negotiate").length, 1);
            assert.strictEqual(server.requests("Create").length, 1);

            await runner.run(COMMAND);
            await runner.run({ ...COMMAND, stdin: Buffer.from("input") });
            await runner.close();
            assert.strictEqual(server.requests("handshake-negotiate").length, 1, "no new handshake");
            assert.strictEqual(server.requests("Create").length, 1, "no new shell");
            assert.strictEqual(server.connections, 1, "one connection");
            // Cold: 2 handshake legs, Create, Command, Receive, Signal. Second run: Command, Receive,
            // Signal. Third: Command, Send, Receive, Signal. Close: Delete.
            const counts = (kinds: readonly string[]) => Object.fromEntries(kinds.map((kind) => [kind, server.requests(kind as never).length]));
            assert.deepStrictEqual(counts(["handshake-negotiate", "handshake-authenticate", "Create", "Command", "Send", "Receive", "Signal", "Delete", "rejected"]),
                { "handshake-negotiate": 1, "handshake-authenticate": 1, Create: 1, Command: 3, Send: 1, Receive: 3, Signal: 3, Delete: 1, rejected: 0 });
            assert.ok(server.commands.every((command) => command.signalled), "every command was terminated");
            assert.strictEqual(server.shells.size, 0, "the shell was deleted");
        });

        it("resolves run() before the Signal is answered: Signal is off the critical path", async function () {
            const server = await serve({ intercept: (request) => (request.kind === "Signal" ? { kind: "delay", ms: 1500 } : undefined) });
            const runner = connect(server);
            const started = Date.now();
            const output = await runner.run(COMMAND);
            assert.ok(output.stdout.length > 0);
            assert.ok(Date.now() - started < 1000, "run() did not wait for the Signal response");
            await runner.close();
            assert.strictEqual(server.requests("Signal").length, 1, "the Signal was sent");
            assert.ok(server.commands[0].signalled, "and answered before the shell was deleted");
        });

        it("re-authenticates on a new connection when the server closed the idle one, keeping the shell", async function () {
            const server = await serve();
            const runner = connect(server);
            await runner.run(COMMAND);
            server.dropConnections();
            await new Promise((resolve) => setTimeout(resolve, 50));
            const output = await runner.run(COMMAND);
            assert.match(output.stdout.toString(), /^ran powershell\.exe/);
            assert.strictEqual(server.requests("handshake-negotiate").length, 2);
            assert.strictEqual(server.requests("Create").length, 1);
            assert.strictEqual(server.connections, 2);
        });

        it("retires a connection idle longer than connectionReuseLimitMs before reusing it", async function () {
            const server = await serve();
            const runner = connect(server, { connectionReuseLimitMs: 30 });
            await runner.run(COMMAND);
            await new Promise((resolve) => setTimeout(resolve, 80));
            await runner.run(COMMAND);
            assert.strictEqual(server.requests("handshake-negotiate").length, 2);
            assert.strictEqual(server.requests("Create").length, 1);
        });

        it("does not resend a Command whose connection was lost, but resends a Delete", async function () {
            const server = await serve({
                intercept: (request, count) => (request.kind === "Command" && count === 2) || (request.kind === "Delete" && count === 1) ? { kind: "drop" } : undefined,
            });
            const runner = connect(server);
            await runner.run(COMMAND);
            const error = await failure(runner.run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.strictEqual(error.step, "Command");
            assert.strictEqual(error.problem, "connection-lost");
            assert.match(error.message, /^127\.0\.0\.1:\d+: WinRM Command failed: the server closed the connection/);
            assert.strictEqual(server.requests("Command").length, 2, "the Command was not sent again");
            await runner.close();
            assert.strictEqual(server.requests("Delete").length, 2, "the Delete was sent again on a new connection");
            assert.strictEqual(server.shells.size, 0);
        });

        it("does not resend a Command lost on the AUTHENTICATE of a new connection", async function () {
            const server = await serve({ intercept: (request, count) => (request.kind === "Command" && count === 2 ? { kind: "drop" } : undefined) });
            const runner = connect(server);
            await runner.run(COMMAND);
            server.dropConnections();
            const error = await failure(runner.run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.strictEqual(error.step, "Command");
            assert.strictEqual(error.problem, "connection-lost");
            // First run: NEGOTIATE, AUTHENTICATE + Create, Command, Receive, Signal; then NEGOTIATE, AUTHENTICATE + Command.
            assert.strictEqual(server.httpRequests, 7, "the Command went on the second AUTHENTICATE");
            assert.strictEqual(server.requests("Command").length, 2, "the Command was not sent again");
        });

        it("polls again after w:TimedOut faults until the output comes", async function () {
            const server = await serve({ timeoutsBeforeOutput: 3 });
            const runner = connect(server);
            const output = await runner.run(COMMAND);
            assert.match(output.stdout.toString(), /^ran /);
            assert.strictEqual(server.requests("Receive").length, 4);
        });

        it("creates a new shell once when the server no longer has it (InvalidSelectors on Command)", async function () {
            const server = await serve();
            const runner = connect(server);
            await runner.run(COMMAND);
            server.forgetShells();
            const output = await runner.run(COMMAND);
            assert.match(output.stdout.toString(), /^ran /);
            assert.strictEqual(server.requests("Create").length, 2);
            assert.strictEqual(server.requests("Command").length, 3);
            assert.strictEqual(server.commands.length, 2, "the command ran once");
        });

        it("sends stdin larger than one envelope in chunks, End on the last", async function () {
            const stdin = Buffer.alloc(50_000);
            for (let i = 0; i < stdin.length; i++) stdin[i] = (i * 7 + 3) & 0xff;
            const server = await serve({ program: (_command, received) => ({ stdout: createHash("sha256").update(received).digest("hex") }) });
            const runner = connect(server, { maxEnvelopeSize: 16_384 });
            const output = await runner.run({ ...COMMAND, stdin });
            assert.strictEqual(output.stdout.toString(), createHash("sha256").update(stdin).digest("hex"));
            const sends = server.requests("Send").length;
            assert.ok(sends >= 5, `expected several Sends, got ${sends}`);
            assert.strictEqual(server.commands[0].stdinEnded, true);
            assert.strictEqual(server.commands[0].stdin.length, sends);
        });

        it("closes stdin with one empty End when stdin is empty, and sends nothing when it is omitted", async function () {
            const server = await serve();
            const runner = connect(server);
            await runner.run({ ...COMMAND, stdin: Buffer.alloc(0) });
            assert.strictEqual(server.requests("Send").length, 1);
            assert.strictEqual(server.commands[0].stdinEnded, true);
            await runner.run(COMMAND);
            assert.strictEqual(server.requests("Send").length, 1);
        });

        it("turns console-mode stdin off exactly when it sends stdin (a console never reports the end of what was sent)", async function () {
            const server = await serve();
            const runner = connect(server);
            await runner.run({ ...COMMAND, stdin: Buffer.from("input") });
            await runner.run(COMMAND);
            assert.deepStrictEqual(server.commands.map((command) => command.request.options.WINRS_CONSOLEMODE_STDIN), ["FALSE", "TRUE"]);
        });

        it("reports a fault on Command (HTTP 500, encrypted) with its code and message", async function () {
            const server = await serve({
                intercept: (request) =>
                    request.kind === "Command"
                        ? { kind: "fault", fault: { soapCode: "s:Receiver", subcode: "w:InternalError", code: FAULT_CODE.fileNotFound, reason: "The system cannot find the file specified." } }
                        : undefined,
            });
            const error = await failure(connect(server).run(COMMAND));
            assert.ok(error instanceof WsmanFault);
            assert.strictEqual(error.code, 2147942402);
            assert.match(error.message, /^127\.0\.0\.1:\d+: WinRM Command failed: fault 2147942402 \(w:InternalError\): The system cannot find the file specified\./);
        });

        it("reports a malformed (not XML) response naming the step", async function () {
            const server = await serve({ intercept: (request) => (request.kind === "Receive" ? { kind: "raw", status: 200, body: "<html>proxy error" } : undefined) });
            const error = await failure(connect(server).run(COMMAND));
            assert.ok(error instanceof WsmanProtocolError);
            assert.match(error.message, /WinRM Receive failed: unusable response/);
        });

        it("refuses an unencrypted HTTP 200 answer to an encrypted request", async function () {
            const server = await serve({ intercept: (request) => (request.kind === "Command" ? { kind: "raw", status: 200, body: "<s:Envelope/>", plaintext: true } : undefined) });
            const error = await failure(connect(server).run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.strictEqual(error.problem, "malformed-response");
            assert.match(error.message, /WinRM Command failed: the server answered an encrypted request with an unencrypted HTTP 200/);
        });

        it("reports a wrong password as HTTP 401 for the user, without the password", async function () {
            const server = await serve({ account: { username: ACCOUNT.username, password: "the-real-one" } });
            const error = await failure(connect(server).run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.strictEqual(error.problem, "authentication");
            assert.strictEqual(error.step, "NTLM handshake");
            assert.match(error.message, /authentication failed for user "WIN-TEST\\deploy"/);
            assert.ok(server.authFailures.some((why) => /wrong password/.test(why)));
        });

        it("times out naming the step when the server stops answering mid-command", async function () {
            const server = await serve({ intercept: (request) => (request.kind === "Receive" ? { kind: "hang" } : undefined) });
            const runner = connect(server, QUICK);
            const started = Date.now();
            const error = await failure(runner.run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.strictEqual(error.step, "Receive");
            assert.strictEqual(error.problem, "timeout");
            assert.match(error.message, /^127\.0\.0\.1:\d+: WinRM Receive timed out after 1500 ms/);
            assert.ok(Date.now() - started < 10_000);
        });

        it("enforces the overall deadline of run() and tries to terminate the command", async function () {
            const server = await serve({ intercept: (request) => (request.kind === "Receive" ? { kind: "hang" } : undefined) });
            const runner = connect(server, { operationTimeoutSeconds: 5, readTimeoutMs: 10_000 });
            const error = await failure(runner.run(COMMAND, { step: "read session settings at Default Web Site", timeoutMs: 700 }));
            assert.ok(error instanceof WinrmError);
            assert.strictEqual(error.problem, "timeout");
            assert.match(error.message, /^127\.0\.0\.1:\d+: WinRM Receive timed out after 700 ms \(the deadline of "read session settings at Default Web Site"\)/);
            assert.strictEqual(server.requests("Signal").length, 1, "Signal terminate was tried");
        });
    });

    describe("connection failures", function () {
        it("reports connection refused on a closed port", async function () {
            const port = await closedPort();
            const runner = new WinrmCommandRunner({ host: "127.0.0.1", port, https: false, auth: "ntlm", username: "u", password: PASSWORD });
            runners.push(runner);
            const error = await failure(runner.run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.strictEqual(error.problem, "connection-refused");
            assert.match(error.message, new RegExp(`^127\\.0\\.0\\.1:${port}: WinRM connect failed: connection refused`));
        });

        it("times out connecting when the TLS handshake never completes", async function () {
            // Reads (so it sees the client hang up) but never answers the TLS ClientHello.
            const silent = net.createServer((socket) => socket.resume());
            await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
            const port = (silent.address() as net.AddressInfo).port;
            try {
                const runner = new WinrmCommandRunner({ host: "127.0.0.1", port, https: true, auth: "ntlm", username: "u", password: PASSWORD, connectTimeoutMs: 300 });
                runners.push(runner);
                const error = await failure(runner.run(COMMAND));
                assert.ok(error instanceof WinrmError);
                assert.strictEqual(error.step, "connect");
                assert.match(error.message, /WinRM connect timed out after 300 ms \(TCP and TLS connection setup\)/);
            } finally {
                await new Promise((resolve) => silent.close(resolve));
            }
        });
    });

    describe("HTTPS", function () {
        it("NTLM with channel bindings the server verifies, no message encryption", async function () {
            const server = await serve({ tls: pki.server, requireChannelBindings: true });
            const runner = connect(server, { https: true, caCertificate: pki.caCertificate });
            const output = await runner.run(COMMAND);
            assert.match(output.stdout.toString(), /^ran /);
            assert.deepStrictEqual(server.channelBindingsVerified, [true]);
            assert.ok(server.log.every((entry) => !entry.encrypted));
            await runner.run(COMMAND);
            assert.strictEqual(server.requests("handshake-negotiate").length, 1);
        });

        it("Basic over HTTPS sends credentials on every request", async function () {
            const server = await serve({ auth: "basic", tls: pki.server });
            const runner = connect(server, { https: true, auth: "basic", caCertificate: pki.caCertificate });
            await runner.run(COMMAND);
            const output = await runner.run(COMMAND);
            assert.match(output.stdout.toString(), /^ran /);
            assert.strictEqual(server.requests("handshake-negotiate").length, 0);
            assert.strictEqual(server.connections, 1);
        });

        it("Basic with a wrong password: HTTP 401 naming the user, not the password", async function () {
            const server = await serve({ auth: "basic", tls: pki.server, account: { username: ACCOUNT.username, password: "other" } });
            const error = await failure(connect(server, { https: true, auth: "basic", caCertificate: pki.caCertificate }).run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.match(error.message, /WinRM Create shell failed: HTTP 401 .*authentication failed for user "WIN-TEST\\deploy" \(auth basic\)/);
        });

        it("client certificate authentication", async function () {
            const server = await serve({ auth: "certificate", tls: { ...pki.server, clientCa: pki.caCertificate } });
            const runner = new WinrmCommandRunner({
                ...server.address,
                https: true,
                auth: "certificate",
                caCertificate: pki.caCertificate,
                clientCertificate: pki.client.certificate,
                clientKey: pki.client.key,
            });
            runners.push(runner);
            const output = await runner.run(COMMAND);
            assert.match(output.stdout.toString(), /^ran /);
            assert.ok(!inspect(runner).includes("PRIVATE KEY"), "the inspected runner shows no key");
        });

        it("refuses a certificate that does not chain to a trusted CA", async function () {
            const server = await serve({ tls: pki.server });
            const error = await failure(connect(server, { https: true }).run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.strictEqual(error.problem, "tls-untrusted");
            assert.match(error.message, /^127\.0\.0\.1:\d+: WinRM connect failed: the server's TLS certificate is not trusted/);
        });

        it("refuses a certificate issued for another name", async function () {
            const server = await serve({ tls: pki.wrongName });
            const error = await failure(connect(server, { https: true, caCertificate: pki.caCertificate }).run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.strictEqual(error.problem, "tls-name-mismatch");
            assert.match(error.message, /WinRM connect failed: the server's TLS certificate does not name this host/);
        });

        it("https to a plain HTTP port says the port looks like HTTP, not OpenSSL's words", async function () {
            const server = await serve();
            const error = await failure(connect(server, { https: true, caCertificate: pki.caCertificate, ...QUICK }).run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.match(error.message, new RegExp(`port ${server.address.port} did not answer TLS; it looks like a plain HTTP port\\. Set https: false`));
            assert.doesNotMatch(error.message, /SSL routines|wrong version number/);
        });

        it("http to an HTTPS port says to set https: true, not only that the handshake failed", async function () {
            const server = await serve({ tls: pki.server });
            const error = await failure(connect(server, { ...QUICK }).run(COMMAND));
            assert.ok(error instanceof WinrmError);
            assert.match(error.message, new RegExp(`if port ${server.address.port} is WinRM's HTTPS listener \\(5986 by default\\), set https: true`));
        });

        it("accepts any certificate with insecureSkipVerify", async function () {
            const server = await serve({ tls: pki.wrongName });
            const output = await connect(server, { https: true, insecureSkipVerify: true }).run(COMMAND);
            assert.match(output.stdout.toString(), /^ran /);
        });
    });

    describe("options", function () {
        it("refuses a read timeout that does not exceed the OperationTimeout", function () {
            assert.throws(
                () => new WinrmCommandRunner({ host: "h", https: false, auth: "ntlm", username: "u", password: PASSWORD, operationTimeoutSeconds: 20, readTimeoutMs: 20_000 }),
                /readTimeoutMs \(20000\) must exceed operationTimeoutSeconds \(20 s = 20000 ms\)/,
            );
        });

        it("keeps secrets out of util.inspect of a runner", function () {
            const runner = new WinrmCommandRunner({ host: "h", https: false, auth: "ntlm", username: "u", password: PASSWORD });
            assert.ok(!inspect(runner, { depth: 10 }).includes(PASSWORD));
            assert.strictEqual(runner.host, "h:5985");
        });
    });
});
