import * as assert from "assert";
import {
    POWERSHELL_EXE,
    COMMAND_LINE_LIMIT,
    PROGRESS_PREAMBLE,
    buildPowerShellStdinCommand,
    encodePowerShellScript,
} from "../../provider/powershell";
import { buildPowerShellCommand } from "../support/pwsh/encodedCommand";
import { Language, Parser } from "web-tree-sitter";

const decodeUtf16 = (base64: string) => Buffer.from(base64, "base64").toString("utf16le");

describe("PowerShell command lines", () => {
    it("encodes like pywinrm's recorded run_ps_request (UTF-16LE, base64)", () => {
        // From pywinrm/run_ps_request.xml: powershell -encodedcommand VwByAGkAdABlAC0ARQByAHIAbwByACAAIgBFAHIAcgBvAHIAIgA=
        assert.strictEqual(encodePowerShellScript('Write-Error "Error"'), "VwByAGkAdABlAC0ARQByAHIAbwByACAAIgBFAHIAcgBvAHIAIgA=");
    });

    it("runs powershell.exe with fixed options and the preamble-prefixed script", () => {
        const script = "Get-WebConfigurationProperty -Filter 'system.webServer/asp/session' -Name timeout | ConvertTo-Json -Compress # é ☃";
        const built = buildPowerShellCommand(script);
        assert.strictEqual(built.command, POWERSHELL_EXE);
        assert.deepStrictEqual(built.arguments.slice(0, 5), ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"]);
        assert.strictEqual(built.arguments.length, 6);
        assert.strictEqual(decodeUtf16(built.arguments[5]), PROGRESS_PREAMBLE + script);
        assert.strictEqual(built.commandLine, `${POWERSHELL_EXE} -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${built.arguments[5]}`);
        assert.strictEqual(built.length, built.commandLine.length);
        assert.strictEqual(built.fitsCommandLine, true);
    });

    it("reports when a script is too long for the command line", () => {
        const long = buildPowerShellCommand("#".repeat(3200));
        assert.ok(long.length > COMMAND_LINE_LIMIT, `length ${long.length}`);
        assert.strictEqual(long.fitsCommandLine, false);
    });

    it("the stdin variant has a short fixed command line and carries the script as base64 UTF-8", () => {
        const script = "$x = @(\n  1,\n  2\n)\nWrite-Output 'ünïcode'\n".repeat(500);
        const built = buildPowerShellStdinCommand(script);
        assert.ok(built.fitsCommandLine, `length ${built.length}`);
        assert.strictEqual(built.length, buildPowerShellStdinCommand("other").length);
        assert.match(built.stdin.toString("ascii"), /^[A-Za-z0-9+/]+=*$/);
        assert.strictEqual(Buffer.from(built.stdin.toString("ascii"), "base64").toString("utf8"), PROGRESS_PREAMBLE + script);
        const bootstrap = decodeUtf16(built.arguments[built.arguments.length - 1]);
        assert.ok(bootstrap.startsWith(PROGRESS_PREAMBLE));
        assert.match(bootstrap, /\[Console\]::In\.ReadToEnd\(\)/);
        assert.match(bootstrap, /\[ScriptBlock\]::Create\(\$source\)/);
    });

    it("the preamble and bootstrap are valid PowerShell (tree-sitter-powershell)", async () => {
        await Parser.init();
        const language = await Language.load(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
        const parser = new Parser();
        parser.setLanguage(language);
        const hasError = (text: string) => parser.parse(text)?.rootNode.hasError;
        const bootstrap = decodeUtf16(buildPowerShellStdinCommand("x").arguments[5]);
        assert.strictEqual(hasError(bootstrap), false, bootstrap);
        assert.strictEqual(hasError(PROGRESS_PREAMBLE + "Write-Output 1"), false);
        assert.strictEqual(hasError("if ($x { broken"), true);
    });
});
