import { decodeRequestText } from "../support/requestText";
import { strict as assert } from "assert";
import { buildLoaderCommand, COMMAND_LINE_OPTIONS, compressScript, LOADER_PREFIX, LOADER_SUFFIX, prepareInvocation } from "../../provider/powershell/delivery";
import { decompressScript } from "../support/loader";
import { OPERATION_NAMES, type OperationRequest, type WriteFileRequest } from "../../provider/powershell/protocol";
import { encodeRequest, renderScript } from "../../provider/powershell/render";
import { SCRIPT_TEMPLATES } from "../../provider/powershell/scripts";
import {
    buildPowerShellStdinCommand,
    COMMAND_LINE_LIMIT,
    PROGRESS_PREAMBLE,
} from "../../provider/powershell/commandLine";
import { buildPowerShellCommand } from "../support/pwsh/encodedCommand";
import { realisticRequests } from "./requests";
import { POWERSHELL_EXE } from "../../provider/powershell/commandLine";

/** The loader's data: the base64 between LOADER_PREFIX and LOADER_SUFFIX in the last argument. */
function loaderData(args: readonly string[]): string {
    const loader = args[args.length - 1];
    assert.ok(loader.startsWith(LOADER_PREFIX) && loader.endsWith(LOADER_SUFFIX), `not the loader: ${loader.slice(0, 80)}`);
    return loader.slice(LOADER_PREFIX.length, loader.length - LOADER_SUFFIX.length);
}

const CONFIG = "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config";

function writeFileOf(content: Buffer): WriteFileRequest {
    return { op: "writeFile", path: CONFIG, expectedSha256: "f".repeat(64), content, backupSuffix: ".asp-session.bak" };
}

describe("prepareInvocation: what a transport runs", function () {
    it("no script fits on cmd.exe's command line as -EncodedCommand, which is why the command line carries it compressed", function () {
        for (const op of OPERATION_NAMES) {
            const direct = buildPowerShellCommand(SCRIPT_TEMPLATES[op]);
            assert.equal(direct.fitsCommandLine, false, `${op} would fit (${direct.length} characters) as -EncodedCommand`);
        }
    });

    it("a script compressed before (a fleet sends one script to every server) gets the same text, also after others pushed it out of the memo", function () {
        const scripts = Array.from({ length: 20 }, (_, i) => renderScript({ op: "read", location: `Site${i}/app` }));
        const first = scripts.map(compressScript);
        assert.equal(compressScript(scripts[19]), first[19]);
        assert.equal(compressScript(scripts[0]), first[0]);
        scripts.forEach((script, i) => assert.equal(decompressScript(first[i]), script));
        assert.equal(new Set(first).size, scripts.length);
    });

    for (const request of realisticRequests().filter((r) => r.op !== "writeFile")) {
        it(`${request.op} ${JSON.stringify(request).slice(0, 70)}…: the whole script on the command line, nothing on stdin`, function () {
            const invocation = prepareInvocation(request);
            assert.equal(invocation.delivery, "commandLine");
            assert.equal(invocation.stdin, undefined);
            assert.equal(invocation.script, renderScript(request));
            assert.equal(invocation.command.command, POWERSHELL_EXE);
            assert.deepEqual(invocation.command.arguments.slice(0, -2), [...COMMAND_LINE_OPTIONS, "-Command"]);
            assert.equal(invocation.command.arguments[invocation.command.arguments.length - 2], ".");
            assert.equal(invocation.command.commandLine, [POWERSHELL_EXE, ...invocation.command.arguments].join(" "));
            assert.equal(invocation.command.length, invocation.command.commandLine.length);
            assert.ok(invocation.command.length <= COMMAND_LINE_LIMIT, `${invocation.command.length} characters`);
            assert.ok(invocation.command.fitsCommandLine);

            // Round trip: what PowerShell decompresses is exactly the rendered script.
            const data = loaderData(invocation.command.arguments);
            assert.match(data, /^[A-Za-z0-9+/]+={0,2}$/);
            assert.equal(decompressScript(data), invocation.script);
            assert.equal(Buffer.from(data, "base64").subarray(0, 2).toString("hex"), "1f8b", "gzip magic");
            assert.ok(invocation.script.includes(`'${encodeRequest(request)}'`));
        });
    }

    it("the command line holds nothing cmd.exe or CreateProcess acts on, and no argument has white space", function () {
        for (const request of realisticRequests()) {
            const { command } = prepareInvocation(request);
            // The program is %SystemRoot%\...\powershell.exe, expanded by cmd.exe on purpose; the arguments hold nothing cmd.exe acts on.
            assert.strictEqual(command.command, POWERSHELL_EXE);
            assert.doesNotMatch(command.arguments.join(" "), /["%^&|<>!\t\r\n]/);
            for (const argument of command.arguments) assert.doesNotMatch(argument, /\s/, argument.slice(0, 60));
            assert.ok(command.commandLine.split("'").length <= 3, "at most one single-quoted literal");
        }
    });

    it("the command lines stay within 8191 characters, with room for a location of 1000 characters", function () {
        const long = "Site/" + "a".repeat(995);
        const requests: OperationRequest[] = [
            ...realisticRequests(),
            { op: "read", location: long },
            { op: "apply", location: long, set: { allowSessionState: "false", keepSessionIdSecure: "false", max: "4294967295", timeout: "365.00:00:00" }, remove: [] },
            { op: "readFile", path: `\\\\fileserver\\${"x".repeat(990)}\\applicationHost.config` },
        ];
        for (const request of requests) {
            const invocation = prepareInvocation(request);
            assert.ok(invocation.command.length <= COMMAND_LINE_LIMIT, `${request.op}: ${invocation.command.length}`);
            if (request.op !== "writeFile") assert.equal(invocation.delivery, "commandLine", `${request.op} with a long location/path`);
        }
    });

    it("apply, the longest script, with all four attributes and an incompressible location of 745 characters still fits the command line", function () {
        // 1000 characters fitted before apply read the web.config files (GetWebConfiguration); a
        // longer incompressible location goes to stdin, which WinRM and SSH both carry (one more Send).
        let seed = 11;
        const noise = Array.from({ length: 740 }, () => {
            seed = (seed * 1103515245 + 12345) % 2147483648;
            return "abcdefghijklmnopqrstuvwxyz0123456789"[seed % 36];
        }).join("");
        const invocation = prepareInvocation({
            op: "apply",
            location: `Site/${noise}`,
            set: { allowSessionState: "false", keepSessionIdSecure: "false", max: "4294967295", timeout: "365.00:00:00" },
            remove: [],
        });
        assert.equal(invocation.delivery, "commandLine");
        assert.ok(invocation.command.length <= COMMAND_LINE_LIMIT, `${invocation.command.length} characters`);
    });

    it("a request too big for the command line goes to stdin instead (decided by size, per invocation)", function () {
        // Random text does not compress: 6,000 characters of it cannot fit in 8191 as base64 of gzip.
        let seed = 7;
        const noise = Array.from({ length: 6000 }, () => {
            seed = (seed * 1103515245 + 12345) % 2147483648;
            return "abcdefghijklmnopqrstuvwxyz0123456789"[seed % 36];
        }).join("");
        const request: OperationRequest = { op: "read", location: `Site/${noise}` };
        assert.equal(buildLoaderCommand(renderScript(request)).fitsCommandLine, false);
        const invocation = prepareInvocation(request);
        assert.equal(invocation.delivery, "stdin");
        assert.ok(invocation.command.fitsCommandLine);
        assert.ok(invocation.stdin !== undefined);
        assert.equal(Buffer.from(invocation.stdin.toString("ascii"), "base64").toString("utf8"), PROGRESS_PREAMBLE + invocation.script);
    });

    it("writeFile with applicationHost.config's content goes on stdin behind the fixed bootstrap", function () {
        const request = realisticRequests().find((r) => r.op === "writeFile");
        assert.ok(request);
        const invocation = prepareInvocation(request);
        assert.equal(invocation.delivery, "stdin");
        const bootstrap = buildPowerShellStdinCommand("");
        assert.deepEqual(invocation.command.arguments, bootstrap.arguments);
        assert.ok(invocation.stdin !== undefined);
        const stdinText = invocation.stdin.toString("ascii");
        assert.match(stdinText, /^[A-Za-z0-9+/]+={0,2}$/);
        assert.equal(Buffer.from(stdinText, "base64").toString("utf8"), PROGRESS_PREAMBLE + invocation.script);
    });

    it("a tiny writeFile fits on the command line: size decides, not the operation", function () {
        const invocation = prepareInvocation(writeFileOf(Buffer.from("<configuration />\r\n")));
        assert.equal(invocation.delivery, "commandLine");
        assert.equal(decompressScript(loaderData(invocation.command.arguments)), invocation.script);
    });

    it("a 3 MB file goes to writeFile whole, inside the script on stdin", function () {
        const content = Buffer.alloc(3 * 1024 * 1024, "<add name='x' />\r\n");
        const invocation = prepareInvocation(writeFileOf(content));
        assert.equal(invocation.delivery, "stdin");
        assert.ok(invocation.command.fitsCommandLine);
        const literal = /Read-Request '([^']*)'/.exec(invocation.script);
        assert.ok(literal);
        const decoded = decodeRequestText(literal[1]) as WriteFileRequest;
        assert.ok(decoded.content.equals(content));
    });

    it("only the compressed data differs between two command lines", function () {
        const [a, b] = [prepareInvocation({ op: "read", location: "" }), prepareInvocation({ op: "apply", location: "x", set: {}, remove: ["max"] })];
        assert.deepEqual(a.command.arguments.slice(0, -1), b.command.arguments.slice(0, -1));
        assert.notEqual(loaderData(a.command.arguments), loaderData(b.command.arguments));
    });
});
