/**
 * examples/winrm run as a Pulumi program (setMocks forwarding to the real provider host) against
 * our WS-Management test server, with its configuration given as a user would.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { destroy, runProgram, StackState } from "../../examples/engine/mockEngine";
import { ProviderHost } from "../../examples/engine/providerHost";
import { parseApplicationHost } from "../../provider/apphost/document";
import { readSession } from "../../provider/apphost/sessionReader";
import { OWN_FIXTURE, scratchCopy, startHost } from "../support/hostFixture";
import { projectRoot } from "../support/paths";
import { requirePwsh } from "../support/pwsh";
import { startWsmanServer, WsmanServer } from "../support/wsman";

describe("examples/winrm, run as a Pulumi program against the WS-Management test server (real PowerShell 7 behind it)", function () {
    this.timeout(300_000);
    let host: ProviderHost;
    let server: WsmanServer | undefined;
    before(async function () {
        requirePwsh(this);
        ({ host } = await startHost());
    });
    after(async function () {
        await host?.stop();
        await server?.close();
    });

    it("applies the program's settings on the server, finds nothing to do the second time, and destroy restores the file", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const original = fs.readFileSync(file);
        server = await startWsmanServer({ users: [{ username: "CORP\\deploy", password: "Example-Passw0rd" }], applicationHostPath: file });
        const state: StackState = {};
        // PowerShell runs on Linux here, so the file is named by its local path.
        const config = { host: "127.0.0.1", port: String(server.port), username: "CORP\\deploy", password: "Example-Passw0rd", mode: "xml", platform: "linux", configPath: file };
        const run = (mode: "preview" | "up") => runProgram({
            host, state, mode, program: path.join(projectRoot, "dist", "examples", "winrm", "index.js"),
            project: "iis-asp-session-winrm", stack: "test", config,
        });
        assert.deepStrictEqual((await run("preview")).map((s) => s.kind), ["create"]);
        await run("up");
        const reading = readSession(parseApplicationHost(fs.readFileSync(file), file), "Default Web Site/shop", file);
        assert.deepStrictEqual(reading.explicit, { keepSessionIdSecure: true, max: 1000, timeout: "00:10:00" });
        assert.deepStrictEqual((await run("preview")).map((s) => s.kind), ["same"]);
        await destroy(host, state);
        assert.ok(fs.readFileSync(file).equals(original));
    });
});
