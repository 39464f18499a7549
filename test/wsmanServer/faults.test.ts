import * as assert from "assert";
import * as wsman from "../../provider/carriers/winrm/wsman";
import { WsmanServer } from "../support/wsman";
import { VAGRANT, startTestServer } from "./fixtures";
import { RawConnection, SoapReply } from "./rawClient";

const host = { host: "127.0.0.1" };

describe("WS-Man test server: latency and fault injection", () => {
    let server: WsmanServer;
    let connection: RawConnection;
    let shellId: string;

    async function startWith(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<void> {
        ({ server } = await startTestServer(overrides));
        connection = new RawConnection(server);
        await connection.authenticateNtlm(VAGRANT);
        const create = wsman.buildCreateShell(connection.context());
        shellId = wsman.readCreateResponse((await connection.soap(create.xml)).xml, host).shellId;
    }
    function command(): Promise<SoapReply> {
        return connection.soap(wsman.buildCommand(connection.context(), shellId, { command: "cmd", arguments: ["/c", "echo hi"] }).xml);
    }
    afterEach(async () => {
        connection.close();
        await server.close();
    });

    it("delays every response by latencyMs, 401s included", async () => {
        ({ server } = await startTestServer({ latencyMs: 40 }));
        connection = new RawConnection(server);
        const started = Date.now();
        const final = await connection.authenticateNtlm(VAGRANT);
        const elapsed = Date.now() - started;
        assert.strictEqual(final.status, 200);
        assert.ok(elapsed >= 80, `two round trips with 40 ms latency took only ${elapsed} ms`);
    });

    it("http500: the next Command gets HTTP 500 with an encrypted WS-Man fault; the one after works", async () => {
        await startWith({ faults: { onNextCommand: "http500" } });
        const failed = await command();
        assert.strictEqual(failed.status, 500);
        assert.strictEqual(failed.encrypted, true);
        assert.throws(() => wsman.readCommandResponse(failed.xml, host), (error) => error instanceof wsman.WsmanFault && error.subcode === "w:InternalError");
        const next = await command();
        assert.strictEqual(next.status, 200);
        wsman.readCommandResponse(next.xml, host);
    });

    it("malformed: the next Command's response body is not XML (sealed like any other)", async () => {
        await startWith();
        server.injectFaults({ onNextCommand: "malformed" });
        const reply = await command();
        assert.strictEqual(reply.status, 200);
        assert.throws(() => wsman.readCommandResponse(reply.xml, host), wsman.WsmanProtocolError);
    });

    it("hang: the next Command is accepted and never answered; close() still ends promptly", async () => {
        await startWith({ faults: { onNextCommand: "hang" } });
        await assert.rejects(
            connection.soap(wsman.buildCommand(connection.context(), shellId, { command: "cmd /c echo hi" }).xml, {}, 300),
            /no response within 300 ms/,
        );
        assert.strictEqual(server.stats.requestsByKind.Command, 1, "the request was read");
    });

    it("shellGone: the shell vanishes and the request gets w:InvalidSelectors 2150858843", async () => {
        await startWith({ faults: { onNextCommand: "shellGone" } });
        const reply = await command();
        assert.strictEqual(reply.status, 500);
        assert.throws(() => wsman.readCommandResponse(reply.xml, host), (error) => error instanceof wsman.WsmanFault && error.code === 2150858843);
        assert.strictEqual(server.stats.openShells, 0);
    });

    it("receiveTimeoutsBeforeOutput: Receives get w:TimedOut 2150858793 that many times, then the output", async () => {
        await startWith({ faults: { receiveTimeoutsBeforeOutput: 2 } });
        const { commandId } = wsman.readCommandResponse((await command()).xml, host);
        const receive = () => connection.soap(wsman.buildReceive(connection.context(), shellId, { commandId }).xml);
        for (let n = 0; n < 2; n++) {
            const reply = await receive();
            assert.strictEqual(reply.status, 500);
            assert.throws(() => wsman.readReceiveResponse(reply.xml, host), (error) => wsman.isOperationTimeout(error));
        }
        const output = wsman.readReceiveResponse((await receive()).xml, { ...host, commandId });
        assert.strictEqual(Buffer.concat(output.streams.stdout).toString(), "hi\r\n");
    });

    it("onNextReceive applies to Receive only", async () => {
        await startWith({ faults: { onNextReceive: "http500" } });
        const { commandId } = wsman.readCommandResponse((await command()).xml, host);
        const reply = await connection.soap(wsman.buildReceive(connection.context(), shellId, { commandId }).xml);
        assert.strictEqual(reply.status, 500);
    });
});
