import { strict as assert } from "assert";
import { buildPowerShellStdinCommand, PROGRESS_PREAMBLE } from "../../provider/powershell/commandLine";
import { LOADER_DOT_ARGUMENT, LOADER_PREFIX, LOADER_SUFFIX, compressScript, prepareInvocation } from "../../provider/powershell/delivery";
import { decompressScript } from "../support/loader";
import { SCRIPT_TEMPLATES } from "../../provider/powershell/scripts";
import { renderSessionCommands } from "../../sdk/command";
import {
    describeFinding,
    describeUnparsed,
    loadWindowsPowerShellCheck,
    POWERSHELL_7_ONLY,
    type PowerShell7Construct,
    type WindowsPowerShellCheck,
} from "./editions";
import { realisticRequests } from "./requests";

/**
 * For each construct: scripts that use it (each must be flagged as this construct) and near
 * misses that look alike but run on Windows PowerShell 5.1 (none may be flagged at all).
 */
const SAMPLES: Readonly<Record<string, { uses: readonly string[]; nearMisses: readonly string[] }>> = {
    "ternary operator ?:": {
        uses: ["$label = ($count -gt 0) ? 'found' : 'empty'", "$x = $a ? 1 : 2"],
        nearMisses: ["$label = if ($count -gt 0) { 'found' } else { 'empty' }", "Get-ChildItem | ? { $_.Length -gt 0 }", "Write-Output 'a ? b : c'"],
    },
    "null-coalescing operator ??": {
        uses: ["$x = $a ?? 1", "if ($a ?? $b) { 'yes' }", "$h = @{ key = $value ?? 'default' }", "$x = (Get-Item $p) ?? $fallback"],
        nearMisses: [
            "$s = 'a ?? b'",
            '$t = "x ?? $y"',
            "# $x = $a ?? 1",
            // An argument, not an operator, in PowerShell 7 too: the word ?? is passed on.
            "Write-Output a ?? b",
            "$x = if ($null -ne $a) { $a } else { 1 }",
        ],
    },
    "null-coalescing assignment operator ??=": {
        uses: ["$x ??= 1", "$settings.Timeout ??= 20"],
        nearMisses: ["if ($null -eq $x) { $x = 1 }", "$s = '??='", "$x += 1"],
    },
    "null-conditional member access ?.": {
        uses: ["${service}?.Status", "(Get-Item .)?.FullName", "${a}?.ToString()"],
        nearMisses: [
            "$service.Status",
            // A variable named `service?` in PowerShell 7 as in 5.1: not the operator.
            "$service?.Status",
            '"${service}?.Status"',
        ],
    },
    "null-conditional element access ?[]": {
        uses: ["${a}?[0]", "$first = ${list}?[0]"],
        nearMisses: ["$a[0]", '"${a}?[0]"', "$a = '?[0]'"],
    },
    "pipeline chain operator &&": {
        uses: ["Test-Path $p && Write-Output 'exists'", "git pull&&git push", "$ok = $true && $false"],
        nearMisses: ["$a -and $b", "cmd /c 'build && test'", "Write-Output '&&'", "& $command"],
    },
    "pipeline chain operator ||": {
        uses: ["Test-Path $p || Write-Output 'missing'", "git pull || exit 1"],
        nearMisses: ["$a -or $b", "Get-Process | Select-Object -First 1", "'a||b' -split '\\|\\|'"],
    },
    "background operator & (pipeline run as a job)": {
        uses: ["Copy-Item a b &", "Start-Sleep 10 &"],
        nearMisses: ["& $command", "& 'C:\\tools\\tool.exe' /x", ". $script", "$x = 'a & b'", "cmd /c 'a & b'"],
    },
    "ForEach-Object -Parallel (and -ThrottleLimit, -TimeoutSeconds, -AsJob)": {
        uses: [
            "1..3 | ForEach-Object -Parallel { $_ }",
            "1..3 | % -Parallel { $_ }",
            "1..3 | foreach -Pa { $_ } -ThrottleLimit 2",
            "1..3 | foreach -ThrottleLimit 2 -Parallel { $_ }",
        ],
        nearMisses: ["1..3 | ForEach-Object { $_ }", "1..3 | ForEach-Object -Process { $_ }", "1..3 | foreach -Pr { $_ }", "foreach ($i in 1..3) { $i }"],
    },
    "Join-String": {
        uses: ["$names | Join-String -Separator ','", "Microsoft.PowerShell.Utility\\Join-String -InputObject $names"],
        nearMisses: ["$names -join ','", "[string]::Join(',', $names)", "Join-Path $a $b", "$s = 'Join-String'"],
    },
    "ConvertFrom-Json -AsHashtable / -Depth / -NoEnumerate": {
        uses: ["$o = $text | ConvertFrom-Json -AsHashtable", "ConvertFrom-Json $text -Depth 10", "ConvertFrom-Json $text -NoEnumerate", "ConvertFrom-Json $text -AsHash"],
        nearMisses: ["$o = $text | ConvertFrom-Json", "ConvertFrom-Json -InputObject $text", "ConvertTo-Json $o -Depth 5"],
    },
    "ConvertTo-Json -AsArray / -EscapeHandling / -EnumsAsStrings": {
        uses: ["ConvertTo-Json $o -AsArray", "ConvertTo-Json $o -EscapeHandling EscapeNonAscii", "$o | ConvertTo-Json -EnumsAsStrings -Compress"],
        nearMisses: ["ConvertTo-Json -InputObject $o -Compress -Depth 5", "$o | ConvertTo-Json"],
    },
    "Get-Content / Set-Content / Add-Content -AsByteStream": {
        uses: ["Get-Content $p -AsByteStream -Raw", "Set-Content $p $bytes -AsByteStream", "Add-Content -Path $p -Value $b -AsByteStream", "gc $p -AsByteStream"],
        nearMisses: ["Get-Content $p -Encoding Byte -Raw", "Get-Content $p -Encoding UTF8", "Get-Content $p -Raw", "[System.IO.File]::ReadAllBytes($p)"],
    },
    "-Encoding utf8NoBOM, utf8BOM or a code page": {
        uses: [
            "Set-Content $p $text -Encoding utf8NoBOM",
            "Out-File $p -Encoding 'utf8BOM'",
            "Get-Content $p -Encoding:utf8NoBOM",
            "Export-Csv $p -Encoding 1251",
            'Get-Content $p -Enc "windows-1251"',
        ],
        nearMisses: ["Get-Content $p -Encoding UTF8", "Set-Content $p $t -Encoding Byte", "Out-File $p -Encoding unicode", "Set-Content $p $t -Encoding $encoding", "Set-Content $p 'utf8NoBOM'"],
    },
    "Test-Json": {
        uses: ["Test-Json -Json $text", "if ($text | Test-Json) { 'ok' }"],
        nearMisses: ["$ok = $null -ne ($text | ConvertFrom-Json)", "Test-Path $p"],
    },
    "Get-Error": {
        uses: ["Get-Error -Newest 1", "$Error[0] | gerr"],
        nearMisses: ["$Error[0] | Format-List * -Force", "Write-Error 'failed'"],
    },
    "Invoke-WebRequest / Invoke-RestMethod -SkipCertificateCheck": {
        uses: ["Invoke-WebRequest $uri -SkipCertificateCheck", "irm $uri -SkipC", "Invoke-RestMethod -Uri $uri -SkipCertificateCheck:$true"],
        nearMisses: ["Invoke-WebRequest $uri -UseBasicParsing", "Invoke-RestMethod -Uri $uri -Method Get"],
    },
    "automatic variables $IsWindows, $IsLinux, $IsMacOS, $IsCoreCLR": {
        uses: ["if ($IsWindows) { 'windows' }", "$global:IsLinux", '"${IsMacOS}"', 'Write-Output "core: $IsCoreCLR"'],
        nearMisses: ["$env:IsWindows", "'$IsWindows'", "# $IsWindows", "$isWindowsServer = $true", "[Environment]::OSVersion.Platform -eq 'Win32NT'"],
    },
    "clean block": {
        uses: ["function f { begin { } clean { } }", "function f { clean { $stream.Dispose() } }", "function f { param($a) process { $a } clean { 'done' } }"],
        nearMisses: ["function f { begin { } end { } }", "function Clear-Cache { Remove-Item $p }", "$clean = { 1 }", "Invoke-Clean { 'x' }"],
    },
    "Remove-Alias": {
        uses: ["Remove-Alias -Name ll"],
        nearMisses: ["Remove-Item Alias:\\ll", "Set-Alias ll Get-ChildItem"],
    },
    "Get-Uptime": {
        uses: ["Get-Uptime", "$up = Get-Uptime -Since"],
        nearMisses: ["(Get-Date) - (Get-CimInstance Win32_OperatingSystem).LastBootUpTime", "Get-Date"],
    },
    "numeric literal suffixes y, uy, s, us, u, ul, n and binary 0b literals": {
        uses: ["$max = 4294967295u", "$mask = $x -band 0xFFFFu", "$b = 0b1010", "$n = 10n", "Write-Output 1uy", "$big = 2uL"],
        nearMisses: ["$x = 100L", "$y = 0xFF", "$z = 1kb", "$d = 1.5d", "$s = '1u'", "$e = 1e3", "$w = $h.Result -band 0xFFFF"],
    },
    "type accelerators [short], [ushort], [uint], [ulong]": {
        uses: ["[uint]$n = 5", "[ulong]::MaxValue", "$x -is [short]", "[ushort[]]$ports = 80, 443"],
        nearMisses: ["[uint32]$n = 5", "[UInt64]::MaxValue", "[int16]$s = 1", "[System.UInt32]::Parse('1')"],
    },
    "escape sequences `u{…} and `e in double-quoted strings and bare words": {
        uses: ['"`u{2713} done"', '"`e[0m"', 'Write-Output "`e[31mred`e[0m"', "Write-Output `e[0m", "Write-Output `u{2713}"],
        nearMisses: ["'`u{2713}'", '"``u{2713}"', '"`n`t`r"', '"`$u{2713}"', "Write-Output a`tb", "Write-Output u{2713}"],
    },
    "System.Text.Json": {
        uses: [
            "[System.Text.Json.JsonDocument]::Parse($json)",
            "using namespace System.Text.Json",
            "New-Object System.Text.Json.JsonSerializerOptions",
            "$x -is [Text.Json.JsonElement]",
            "using namespace System.Text\n[Json.JsonSerializer]::Serialize($o)",
        ],
        nearMisses: ["# System.Text.Json would be faster", "$name = 'System.Text.Json'", "New-Object System.Text.UTF8Encoding", "[System.Text.Encoding]::UTF8"],
    },
    "Span, ReadOnlySpan, Memory, ReadOnlyMemory": {
        uses: ["[Span[byte]]$s = $bytes", "[System.ReadOnlySpan[char]]$c = 'x'", "New-Object 'System.Collections.Generic.List[System.Memory[byte]]'"],
        nearMisses: ["New-Object System.IO.MemoryStream", "[TimeSpan]::FromSeconds(1)", "[System.IO.MemoryStream]::new()"],
    },
    "ThrowIf helpers ([ArgumentNullException]::ThrowIfNull, [ArgumentException]::ThrowIfNullOrEmpty, …)": {
        uses: ["[ArgumentNullException]::ThrowIfNull($x)", "[System.ArgumentException]::ThrowIfNullOrEmpty($s)"],
        nearMisses: ["if ($null -eq $x) { throw (New-Object ArgumentNullException 'x') }", "[ArgumentNullException]::new('x')"],
    },
    "[System.IO.Path]::Join": {
        uses: ["[IO.Path]::Join($a, $b)", "[System.IO.Path]::Join('a', 'b')", "using namespace System.IO\n[Path]::Join($a, $b)"],
        nearMisses: ["[System.IO.Path]::Combine($a, $b)", "Join-Path $a $b", "[string]::Join(',', $names)", "$parts -join '/'"],
    },
    "[System.IO.File]::Move with overwrite (3 arguments)": {
        uses: ["[System.IO.File]::Move($a, $b, $true)", "[IO.File]::Move($source, $target, $false)"],
        nearMisses: ["[System.IO.File]::Move($a, $b)", "[System.IO.File]::Copy($a, $b, $true)", "[System.IO.File]::Replace($a, $b, $c)"],
    },
    "[Convert]::ToHexString / FromHexString": {
        uses: ["[Convert]::ToHexString($bytes)", "[System.Convert]::FromHexString($hex)"],
        nearMisses: ["[BitConverter]::ToString($bytes).Replace('-', '')", "[Convert]::ToBase64String($bytes)"],
    },
    "static HashData ([System.Security.Cryptography.SHA256]::HashData, …)": {
        uses: ["[System.Security.Cryptography.SHA256]::HashData($bytes)", "using namespace System.Security.Cryptography\n[SHA256]::HashData($b)"],
        nearMisses: [
            "$sha = [System.Security.Cryptography.SHA256]::Create(); $hash = $sha.ComputeHash($bytes)",
            "(New-Object System.Security.Cryptography.SHA256CryptoServiceProvider).ComputeHash($bytes)",
        ],
    },
};

/** The -EncodedCommand argument of a command line, decoded (UTF-16LE). */
function encodedCommandOf(args: readonly string[]): string {
    const at = args.indexOf("-EncodedCommand");
    assert.ok(at >= 0 && at + 1 < args.length, `no -EncodedCommand in ${args.join(" ")}`);
    return Buffer.from(args[at + 1], "base64").toString("utf16le");
}

/** What PowerShell runs for `-Command . (loader)`: the arguments after -Command, joined by spaces. */
function commandTextOf(args: readonly string[]): string {
    const at = args.indexOf("-Command");
    assert.ok(at >= 0, `no -Command in ${args.join(" ")}`);
    return args.slice(at + 1).join(" ");
}

/** The script inside a loader command text. */
function scriptInLoader(commandText: string): string {
    assert.ok(commandText.startsWith(`${LOADER_DOT_ARGUMENT} ${LOADER_PREFIX}`) && commandText.endsWith(LOADER_SUFFIX), commandText.slice(0, 120));
    return decompressScript(commandText.slice(LOADER_DOT_ARGUMENT.length + 1 + LOADER_PREFIX.length, commandText.length - LOADER_SUFFIX.length));
}

describe("PowerShell that Windows PowerShell 5.1 understands (editions.ts)", function () {
    let check: WindowsPowerShellCheck;
    before(async function () {
        check = await loadWindowsPowerShellCheck();
    });

    /** Fails naming each PowerShell 7-only construct in `script`, its line and its documentation. */
    function assertRunsOnWindowsPowerShell(what: string, script: string): void {
        const report = check(script);
        const problems = [...report.findings.map(describeFinding), ...report.unparsed.map(describeUnparsed)];
        assert.equal(problems.length, 0, `${what} will not run as written on Windows PowerShell 5.1:\n${problems.join("\n")}`);
    }

    function uses(script: string): PowerShell7Construct[] {
        return check(script).findings.map((finding) => finding.construct);
    }

    describe("each construct is flagged where it is used, and look-alikes are not", function () {
        it("every construct has samples, and every sample names a construct", function () {
            const names = POWERSHELL_7_ONLY.map((construct) => construct.name);
            assert.deepEqual(
                names.filter((name) => SAMPLES[name] === undefined || SAMPLES[name].uses.length === 0 || SAMPLES[name].nearMisses.length === 0),
                [],
                "constructs without a use and a near miss",
            );
            assert.deepEqual(
                Object.keys(SAMPLES).filter((name) => !names.includes(name)),
                [],
                "samples for no construct",
            );
            assert.equal(new Set(names).size, names.length, "construct names are unique");
        });

        it("inside a whole script too, every use is found and nothing else is (error recovery hides none)", function () {
            // All the uses at once, in the middle of the apply script, each on lines of its own.
            const lines = SCRIPT_TEMPLATES.apply.split("\n");
            const middle = Math.floor(lines.length / 2);
            const inserted: { construct: PowerShell7Construct; script: string; first: number; last: number }[] = [];
            for (const construct of POWERSHELL_7_ONLY) {
                for (const script of SAMPLES[construct.name]?.uses ?? []) {
                    const first = middle + 1 + inserted.reduce((count, use) => count + use.script.split("\n").length, 0);
                    inserted.push({ construct, script, first, last: first + script.split("\n").length - 1 });
                }
            }
            const findings = check([...lines.slice(0, middle), ...inserted.map((use) => use.script), ...lines.slice(middle)].join("\n")).findings;
            const wrong = inserted.flatMap(({ construct, script, first, last }) => {
                const found = findings.filter((finding) => finding.line >= first && finding.line <= last).map((finding) => finding.construct);
                return found.includes(construct) && found.every((other) => other === construct) ? [] : [`${JSON.stringify(script)}: found ${found.map((other) => other.name).join(", ") || "nothing"}`];
            });
            assert.deepEqual(wrong, []);
            assert.deepEqual(findings.filter((finding) => !inserted.some((use) => finding.line >= use.first && finding.line <= use.last)).map(describeFinding), []);
        });

        for (const construct of POWERSHELL_7_ONLY) {
            const samples = SAMPLES[construct.name] ?? { uses: [], nearMisses: [] };
            describe(construct.name, function () {
                for (const script of samples.uses) {
                    it(`flags ${JSON.stringify(script)}`, function () {
                        const found = uses(script);
                        assert.ok(found.includes(construct), `found ${found.map((other) => other.name).join(", ") || "nothing"}`);
                    });
                }
                for (const script of samples.nearMisses) {
                    it(`does not flag ${JSON.stringify(script)}`, function () {
                        assert.deepEqual(check(script).findings.map(describeFinding), []);
                    });
                }
            });
        }
    });

    describe("the list", function () {
        for (const construct of POWERSHELL_7_ONLY) {
            it(`${construct.name}: cites Microsoft's documentation and says what 5.1 does instead`, function () {
                assert.ok(construct.documentation.length > 0);
                for (const url of construct.documentation) assert.match(url, /^https:\/\/learn\.microsoft\.com\/en-us\/[a-z0-9./_?=-]+$/, url);
                assert.ok(construct.windowsPowerShell51.length > 20, construct.windowsPowerShell51);
                assert.match(construct.since, /PowerShell \d|\.NET/);
            });
        }
    });

    describe("what the provider sends runs on Windows PowerShell 5.1", function () {
        for (const [op, template] of Object.entries(SCRIPT_TEMPLATES)) {
            it(`the ${op} script`, function () {
                assertRunsOnWindowsPowerShell(`The ${op} script (provider/powershell/scripts)`, template);
            });
        }

        it("the command-line loader (delivery.ts)", function () {
            assertRunsOnWindowsPowerShell("The command-line loader", `${LOADER_DOT_ARGUMENT} ${LOADER_PREFIX}${compressScript(SCRIPT_TEMPLATES.read)}${LOADER_SUFFIX}`);
        });

        it("the stdin bootstrap and the progress preamble (commandLine.ts)", function () {
            assertRunsOnWindowsPowerShell("The stdin bootstrap", encodedCommandOf(buildPowerShellStdinCommand(SCRIPT_TEMPLATES.read).arguments));
            assertRunsOnWindowsPowerShell("PROGRESS_PREAMBLE", PROGRESS_PREAMBLE);
        });

        it("everything PowerShell receives for realistic requests: the loader or the bootstrap, and the script", function () {
            for (const request of realisticRequests()) {
                const invocation = prepareInvocation(request);
                const what = `For ${request.op}, ${invocation.delivery}:`;
                if (invocation.delivery === "commandLine") {
                    const commandText = commandTextOf(invocation.command.arguments);
                    assertRunsOnWindowsPowerShell(`${what} the command line`, commandText);
                    assertRunsOnWindowsPowerShell(`${what} the script`, scriptInLoader(commandText));
                } else {
                    assert.ok(invocation.stdin !== undefined);
                    assertRunsOnWindowsPowerShell(`${what} the bootstrap`, encodedCommandOf(invocation.command.arguments));
                    assertRunsOnWindowsPowerShell(`${what} the script`, Buffer.from(invocation.stdin.toString("ascii"), "base64").toString("utf8"));
                }
            }
        });

        it("the command lines sdk/command.ts renders for @pulumi/command", function () {
            const commands = renderSessionCommands({ location: "Default Web Site/app", allowSessionState: true, max: 100, timeout: "00:20:00" });
            for (const [name, commandLine] of Object.entries(commands)) {
                const commandText = commandLine.slice(commandLine.indexOf(" -Command ") + " -Command ".length);
                assertRunsOnWindowsPowerShell(`renderSessionCommands().${name}`, commandText);
                assertRunsOnWindowsPowerShell(`The script in renderSessionCommands().${name}`, scriptInLoader(commandText));
            }
        });
    });

    describe("the check can fail", function () {
        it("a template with `$x = $a ?? 1` added is refused, naming the construct, the line and the page", function () {
            const lines = SCRIPT_TEMPLATES.read.split("\n");
            const at = Math.floor(lines.length / 2);
            const changed = [...lines.slice(0, at), "$x = $a ?? 1", ...lines.slice(at)].join("\n");
            assert.throws(
                () => assertRunsOnWindowsPowerShell("The read script", changed),
                (error: Error) =>
                    error.message.includes(`line ${at + 1}, column 9: \`$x = $a ?? 1\` uses null-coalescing operator ??`) &&
                    error.message.includes("Unexpected token '??'") &&
                    error.message.includes("https://learn.microsoft.com/en-us/powershell/scripting/whats-new/what-s-new-in-powershell-70"),
            );
        });

        it("text the grammar cannot parse is refused too, since the check cannot vouch for it", function () {
            assert.throws(() => assertRunsOnWindowsPowerShell("A script", "if ($x -eq 1 { 'unclosed' }"), /tree-sitter-powershell cannot parse/);
        });
    });
});
