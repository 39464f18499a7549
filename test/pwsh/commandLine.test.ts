import { strict as assert } from "assert";
import { isPowerShellProgram, splitWindowsCommandLine } from "../support/pwsh";
import { prepareInvocation } from "../../provider/powershell";

describe("Windows command lines for pwsh (test/support/pwsh)", function () {
    it("splits as CommandLineToArgvW does: quotes group, backslashes count only before a quote", function () {
        assert.deepEqual(splitWindowsCommandLine('a  "b c"\td'), ["a", "b c", "d"]);
        assert.deepEqual(splitWindowsCommandLine('C:\\Windows\\x.exe "C:\\a b\\" c'), ["C:\\Windows\\x.exe", 'C:\\a b" c']);
        assert.deepEqual(splitWindowsCommandLine('a\\\\"b c"'), ["a\\b c"]);
        assert.deepEqual(splitWindowsCommandLine('a\\\\\\"b'), ['a\\"b']);
        assert.deepEqual(splitWindowsCommandLine('"a""b"'), ['a"b']);
        assert.deepEqual(splitWindowsCommandLine('""'), [""]);
    });

    it("gives pwsh exactly the arguments of the provider's own command lines", function () {
        const { command } = prepareInvocation({ op: "read", location: "Default Web Site" });
        assert.deepEqual(splitWindowsCommandLine(command.commandLine), [command.command, ...command.arguments]);
    });

    it("knows powershell.exe under any folder and in any case, and nothing else", function () {
        for (const program of ["powershell", "PowerShell.EXE", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "%SystemRoot%\\x\\powershell.exe"]) {
            assert.equal(isPowerShellProgram(program), true, program);
        }
        for (const program of ["pwsh", "powershell_ise.exe", "cmd.exe", "C:\\powershell.exe\\evil.exe"]) assert.equal(isPowerShellProgram(program), false, program);
    });
});
