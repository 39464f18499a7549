/**
 * The SSH client against a real OpenSSH sshd on loopback (test/support/ssh): connection reuse,
 * stdin, exit codes, the host key pinned, every way in refused with a message that names the
 * host, the step and the cause and holds no secret, a jump host, and a server that stops
 * answering or drops the connection mid-command.
 */
import * as assert from "assert";
import { inspect } from "util";
import { buildPowerShellStdinCommand } from "../../../provider/powershell";
import { buildPowerShellCommand } from "../../support/pwsh/encodedCommand";
import { SshCommandRunner, SshError, type SshConnectionOptions } from "../../../provider/carriers/ssh";
import { closedPort } from "../../support/network";
import { underCi } from "../../support/paths";
import { SshServer, sshdUnavailable, startSshServer } from "../../support/ssh/sshd";
import { TcpProxy } from "../../support/ssh/tcpProxy";

/** Not PowerShell: the cmd.exe stand-in answers at once that there is no such program (exit 1; cmd.exe says 9009). */
const CHEAP = { command: "ver.exe", arguments: [] };

describe("SSH client (transports/ssh) against a real sshd", function () {
    this.timeout(120_000);
    let server: SshServer;
    const runners: SshCommandRunner[] = [];
    const proxies: TcpProxy[] = [];

    before(async function () {
        const problem = sshdUnavailable();
        if (problem !== undefined) {
            if (underCi) throw new Error(`CI=true but ${problem}`);
            this.skip();
        }
        server = await startSshServer();
    });
    afterEach(async function () {
        for (const runner of runners.splice(0)) await runner.close();
        for (const proxy of proxies.splice(0)) await proxy.close();
    });
    after(async function () {
        await server?.stop();
    });

    function runner(options: Partial<SshConnectionOptions> = {}): SshCommandRunner {
        const created = new SshCommandRunner({
            host: "127.0.0.1",
            port: server.port,
            username: server.username,
            privateKey: server.privateKey,
            hostKey: server.hostKey,
            connectTimeoutMs: 10_000,
            ...options,
        });
        runners.push(created);
        return created;
    }

    const secrets = () => [server.privateKey, server.encryptedKey, server.passphrase, server.strangerKey, "Wr0ng-Passw0rd"];

    async function refusal(promise: Promise<unknown>, step: string, problem: string, text: RegExp, host = `127.0.0.1:${server.port}`): Promise<SshError> {
        let caught: unknown;
        try {
            await promise;
        } catch (error) {
            caught = error;
        }
        assert.ok(caught instanceof SshError, `expected an SshError, got ${String(caught)}`);
        assert.strictEqual(caught.step, step, caught.message);
        assert.strictEqual(caught.problem, problem, caught.message);
        assert.ok(caught.message.startsWith(`${host}`), caught.message);
        assert.match(caught.message, text);
        for (const secret of secrets()) assert.ok(!caught.message.includes(secret), "a secret in the message");
        return caught;
    }

    it("runs PowerShell over one connection: the command line as WinRM sends it, stdin delivered and closed, exit codes kept", async function () {
        const proxy = await TcpProxy.start(server.port);
        proxies.push(proxy);
        const ssh = runner({ port: proxy.port });
        const viaStdin = buildPowerShellStdinCommand("Write-Output ('from stdin ' + (1 + 2)); exit 3");
        const first = await ssh.run({ command: viaStdin.command, arguments: [...viaStdin.arguments], stdin: viaStdin.stdin });
        assert.strictEqual(first.stdout.toString().trim(), "from stdin 3");
        assert.strictEqual(first.exitCode, 3);
        // Without stdin, stdin is closed at once: a script reading it sees end-of-file instead of waiting.
        const onLine = buildPowerShellCommand("[Console]::Out.Write('read ' + [Console]::In.ReadToEnd().Length)");
        const second = await ssh.run({ command: onLine.command, arguments: [...onLine.arguments] });
        assert.strictEqual(second.stdout.toString(), "read 0");
        assert.strictEqual(second.exitCode, 0);
        assert.strictEqual(proxy.connections, 1, "both commands on one connection");
    });

    it("authenticates with an encrypted key and its passphrase, and through a jump host", async function () {
        assert.strictEqual((await runner({ privateKey: server.encryptedKey, passphrase: server.passphrase }).run(CHEAP)).exitCode, 1);
        const jump = { host: "127.0.0.1", port: server.port, username: server.username, privateKey: server.privateKey, hostKey: server.hostKey };
        const output = await runner({ host: "127.0.0.1", proxy: jump }).run(CHEAP);
        assert.strictEqual(output.exitCode, 1);
        assert.match(output.stderr.toString(), /'ver\.exe' is not recognized/);
        assert.match(server.log(), /direct-tcpip|Connection from 127\.0\.0\.1/);
    });

    it("refuses an unknown host key and a different one before sending any credential", async function () {
        const logBefore = server.log().length;
        const unknown = await refusal(runner({ hostKey: undefined }).run(CHEAP), "host key", "host-key-unknown", /no hostKey is pinned and the server offered SHA256:/);
        assert.ok(unknown.message.includes(server.hostKey), "the message names the key offered, to pin after checking it");
        await refusal(
            runner({ hostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }).run(CHEAP),
            "host key",
            "host-key-mismatch",
            /the server's host key is SHA256:\S+, not the pinned SHA256:AAAA/,
        );
        assert.ok(!/Accepted|Failed (publickey|password)/.test(server.log().slice(logBefore)), "no authentication was attempted");
    });

    it("refuses a key the server does not know, a wrong password, a wrong passphrase: each named, no secret quoted", async function () {
        await refusal(runner({ privateKey: server.strangerKey }).run(CHEAP), "authentication", "authentication", /failed for user "\S+" with private key: the server refused/);
        await refusal(runner({ privateKey: undefined, password: "Wr0ng-Passw0rd" }).run(CHEAP), "authentication", "authentication", /with password: the server refused/);
        await refusal(
            runner({ privateKey: server.encryptedKey, passphrase: "not the passphrase" }).run(CHEAP),
            "authentication",
            "authentication",
            /the private key cannot be used: .*; nothing was sent/,
        );
    });

    it("names a refused port, and a jump host that fails as the jump host", async function () {
        const port = await closedPort();
        await refusal(runner({ port }).run(CHEAP), "connect", "connection-refused", /connection refused/, `127.0.0.1:${port}`);
        const jump = { host: "127.0.0.1", port: server.port, username: server.username, privateKey: server.privateKey, hostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
        await refusal(
            runner({ proxy: jump }).run(CHEAP),
            "host key",
            "host-key-mismatch",
            /\(jump host to 127\.0\.0\.1:\d+\): SSH host key refused/,
        );
        await refusal(
            runner({ port, proxy: { ...jump, hostKey: server.hostKey } }).run(CHEAP),
            "jump",
            "channel",
            /could not open a tunnel to 127\.0\.0\.1:\d+/,
        );
    });

    it("times out a server that stops answering mid-session, and opens a new connection for the next command", async function () {
        const proxy = await TcpProxy.start(server.port);
        proxies.push(proxy);
        const ssh = runner({ port: proxy.port });
        assert.strictEqual((await ssh.run(CHEAP)).exitCode, 1);
        proxy.frozen = true;
        const started = Date.now();
        await refusal(ssh.run(CHEAP, { timeoutMs: 1500, step: "read session settings at Default Web Site" }), "command", "timeout", /timed out after 1500 ms \(the deadline of "read session settings at Default Web Site"\)/, `127.0.0.1:${proxy.port}`);
        assert.ok(Date.now() - started < 5000);
        proxy.frozen = false;
        assert.strictEqual((await ssh.run(CHEAP)).exitCode, 1);
        assert.strictEqual(proxy.connections, 2);
    });

    it("reports a connection dropped while a command runs, without claiming it did not run", async function () {
        const proxy = await TcpProxy.start(server.port);
        proxies.push(proxy);
        const ssh = runner({ port: proxy.port });
        assert.strictEqual((await ssh.run(CHEAP)).exitCode, 1);
        const slow = buildPowerShellCommand("Start-Sleep -Seconds 20");
        const running = ssh.run({ command: slow.command, arguments: [...slow.arguments] });
        setTimeout(() => proxy.dropAll(), 300);
        await refusal(running, "command", "connection-lost", /before "run .*powershell\.exe" finished \(it may or may not have run to its end\)/, `127.0.0.1:${proxy.port}`);
    });

    it("shows no secret when a runner is inspected or serialised", async function () {
        const ssh = runner({ privateKey: server.encryptedKey, passphrase: server.passphrase, password: "Wr0ng-Passw0rd" });
        await ssh.run(CHEAP);
        const shown = inspect(ssh, { depth: 20, showHidden: false }) + JSON.stringify(ssh);
        for (const secret of secrets()) assert.ok(!shown.includes(secret));
    });
});
