/**
 * One set of timeouts per server target — connect, handshake, the operation — each overridable,
 * and a server that accepts a connection and then never answers is named at the step it hangs in,
 * with the wait that ran out: the handshake's own, or the operation's deadline when that is shorter.
 * Through openBackend, as the provider and the drift audit open targets.
 */
import { strict as assert } from "assert";
import * as net from "net";
import { closeConnections, openBackend } from "../../provider/open";
import { checkTarget, type Target } from "../../provider/targets";
import { rejection } from "../support/rejection";

/** A TCP server that accepts and then says nothing, ever (a hung listener, a black-holing proxy). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("error", () => undefined);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        port,
        close: () => new Promise<void>((resolve) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => resolve());
        }),
    };
}

function target(fields: Record<string, unknown>) {
    const failures: Array<{ property: string; reason: string }> = [];
    const checked = checkTarget(fields, failures);
    assert.deepStrictEqual(failures, []);
    return checked as Target;
}

async function readFailure(fields: Record<string, unknown>): Promise<{ message: string; ms: number }> {
    const started = Date.now();
    const error = await rejection(openBackend(target(fields)).read("Default Web Site"));
    return { message: error.message, ms: Date.now() - started };
}

describe("timeouts: connect, handshake and the operation, each named when it runs out", function () {
    this.timeout(60_000);
    let silent: Awaited<ReturnType<typeof silentServer>>;
    before(async function () {
        silent = await silentServer();
    });
    after(async function () {
        await closeConnections();
        await silent.close();
    });

    const winrm = () => ({ kind: "winrm", host: "127.0.0.1", port: silent.port, username: "deploy", password: "not-sent" });
    const ssh = () => ({ kind: "ssh", host: "127.0.0.1", port: silent.port, username: "deploy", password: "not-sent", hostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });

    it("WinRM: handshakeTimeoutSeconds bounds each leg of the NTLM handshake, and the message names it", async function () {
        const { message, ms } = await readFailure({ ...winrm(), handshakeTimeoutSeconds: 2 });
        assert.match(message, /NTLM handshake/);
        assert.match(message, /timed out after 2000 ms/);
        assert.ok(ms < 10_000, `took ${ms} ms`);
    });

    it("WinRM: with a shorter timeoutSeconds the handshake follows it, and is still the step named", async function () {
        const { message, ms } = await readFailure({ ...winrm(), timeoutSeconds: 3 });
        assert.match(message, /NTLM handshake/);
        assert.match(message, /3000 ms/);
        assert.ok(ms < 10_000, `took ${ms} ms`);
    });

    it("SSH: handshakeTimeoutSeconds bounds the key exchange, and the message names it", async function () {
        const { message, ms } = await readFailure({ ...ssh(), handshakeTimeoutSeconds: 2 });
        assert.match(message, /handshake/);
        assert.match(message, /timed out after 2000 ms/);
        assert.ok(ms < 10_000, `took ${ms} ms`);
    });

    it("SSH: with a shorter timeoutSeconds the handshake follows it", async function () {
        const { message } = await readFailure({ ...ssh(), timeoutSeconds: 3 });
        assert.match(message, /handshake/);
        assert.match(message, /timed out after 3000 ms/);
    });

    it("the fields are checked: whole seconds in range, named with what is allowed", function () {
        for (const [field, value] of [["connectTimeoutSeconds", 0], ["handshakeTimeoutSeconds", 99999], ["connectTimeoutSeconds", "10"]] as const) {
            const failures: Array<{ property: string; reason: string }> = [];
            checkTarget({ ...winrm(), [field]: value }, failures);
            assert.equal(failures.length, 1, JSON.stringify(failures));
            assert.match(`${failures[0].property} ${failures[0].reason}`, new RegExp(`${field}.*must be a number of seconds from 1 to`));
        }
    });
});
