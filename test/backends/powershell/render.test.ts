import { strict as assert } from "assert";
import { OPERATION_NAMES, type WriteFileRequest } from "../../../provider/backends/powershell/protocol";
import { encodeRequest, prepareInvocation, renderScript } from "../../../provider/backends/powershell/render";
import { SCRIPT_TEMPLATES } from "../../../provider/backends/powershell/scripts";
import {
    buildPowerShellCommand,
    COMMAND_LINE_LIMIT,
    PROGRESS_PREAMBLE,
} from "../../../provider/transports/winrm/wsman/powershell";
import { realisticRequests } from "./requests";

describe("prepareInvocation: what a transport runs", function () {
    it("no script fits on cmd.exe's command line as -EncodedCommand, which is why scripts go on stdin", function () {
        for (const op of OPERATION_NAMES) {
            const direct = buildPowerShellCommand(SCRIPT_TEMPLATES[op]);
            assert.equal(direct.fitsCommandLine, false, `${op} would fit (${direct.length} characters): the command line could carry it`);
        }
    });

    for (const request of realisticRequests()) {
        it(`${request.op} ${JSON.stringify(request).slice(0, 70)}…: a short bootstrap command line, the script on stdin`, function () {
            const invocation = prepareInvocation(request);
            assert.equal(invocation.script, renderScript(request));
            assert.equal(invocation.command.command, "powershell.exe");
            assert.deepEqual(invocation.command.arguments.slice(0, 5), ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"]);
            assert.ok(invocation.command.length <= COMMAND_LINE_LIMIT);
            assert.equal(invocation.command.commandLine, ["powershell.exe", ...invocation.command.arguments].join(" "));

            const stdinText = invocation.stdin.toString("ascii");
            assert.match(stdinText, /^[A-Za-z0-9+/]+={0,2}$/);
            assert.equal(Buffer.from(stdinText, "base64").toString("utf8"), PROGRESS_PREAMBLE + invocation.script);
            assert.ok(invocation.script.includes(`'${encodeRequest(request)}'`));
        });
    }

    it("the command line does not depend on the request (its size or content)", function () {
        const lines = new Set(realisticRequests().map((request) => prepareInvocation(request).command.commandLine));
        assert.equal(lines.size, 1);
    });

    it("a 3 MB file goes to writeFile whole, inside the script on stdin", function () {
        const content = Buffer.alloc(3 * 1024 * 1024, "<add name='x' />\r\n");
        const request: WriteFileRequest = {
            op: "writeFile",
            path: "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config",
            expectedSha256: "f".repeat(64),
            contentBase64: content.toString("base64"),
            backupPath: "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config.bak",
        };
        const invocation = prepareInvocation(request);
        assert.ok(invocation.command.fitsCommandLine);
        const literal = /\$requestB64 = '([^']*)'/.exec(invocation.script);
        assert.ok(literal);
        const decoded = JSON.parse(Buffer.from(literal[1], "base64").toString("utf8")) as WriteFileRequest;
        assert.ok(Buffer.from(decoded.contentBase64, "base64").equals(content));
    });
});
