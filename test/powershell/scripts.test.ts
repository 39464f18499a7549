import { strict as assert } from "assert";
import { OPERATION_NAMES, SCRIPT_ERROR_CODES } from "../../provider/powershell/protocol";
import { REQUEST_PLACEHOLDER, SCRIPT_TEMPLATES } from "../../provider/powershell/scripts";
import { SESSION_ATTRIBUTES } from "../../provider/settings/schema";
import { loadPowerShellParser, type PowerShellParse } from "./grammar";

function occurrences(text: string, needle: string): number {
    return text.split(needle).length - 1;
}

/** The error codes a script can report: Stop-Operation '<code>' and the classifier's $code = '<code>'. */
function codesIn(script: string): Set<string> {
    const codes = new Set<string>();
    for (const match of script.matchAll(/Stop-Operation '([A-Za-z]+)'|\$code = '([A-Za-z]+)'/g)) codes.add(match[1] ?? match[2]);
    return codes;
}

describe("PowerShell script templates: the contract in the text", function () {
    let parse: PowerShellParse;
    before(async function () {
        parse = await loadPowerShellParser();
    });

    for (const op of OPERATION_NAMES) {
        describe(op, function () {
            const template = SCRIPT_TEMPLATES[op];

            it("starts with its marker line, which names it and its version for Windows' script block log", function () {
                assert.match(template.split("\n")[0], new RegExp(`^# pulumi-iis-asp-session: ${op} v\\d+$`));
            });

            it("holds the request placeholder exactly once, as a whole single-quoted literal", function () {
                assert.equal(occurrences(template, REQUEST_PLACEHOLDER), 1);
                assert.deepEqual(parse(template).verbatimStrings.filter((s) => s.includes(REQUEST_PLACEHOLDER)), [`'${REQUEST_PLACEHOLDER}'`]);
            });

            it("sets the preferences, prints compact JSON as UTF-8 bytes on the standard output stream without touching the console, exits 0 or failureExitCode", function () {
                const lines = template.split("\n").map((line) => line.trim());
                for (const line of [
                    "$ErrorActionPreference = 'Stop'",
                    "$ProgressPreference = 'SilentlyContinue'",
                    "$json = ConvertTo-Json -InputObject $result -Compress -Depth 5",
                    "$stdout = [Console]::OpenStandardOutput()",
                    "$utf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false",
                    "$bytes = $utf8.GetBytes($json + [char]10)",
                    "if ($result['ok'] -ne $true) { exit $failureExitCode }",
                ]) {
                    assert.ok(lines.includes(line), `missing: ${line}`);
                }
                // Without a console (some SSH set-ups, remoting hosts) setting it throws "The handle is invalid".
                assert.doesNotMatch(template, /\[Console\]::(Output|Input)Encoding\s*=/);
                assert.equal(lines.filter((line) => line !== "").pop(), "exit 0");
            });

            it("runs the same lines on Windows PowerShell 5.1 and PowerShell 7: nothing asks which edition, version or OS it is", function () {
                for (const probe of ["$PSVersionTable", "$PSEdition", "$IsWindows", "$IsLinux", "$IsMacOS", "$IsCoreCLR", "[Environment]::OSVersion", "RuntimeInformation", "Is64BitProcess", "Is64BitOperatingSystem"]) {
                    assert.equal(template.toLowerCase().includes(probe.toLowerCase()), false, `${op} asks ${probe}`);
                }
            });

            it("refuses a request for another operation", function () {
                assert.ok(template.includes(`(Get-Text $request 'op') -cne '${op}'`));
            });

            it("builds no code from strings: no Invoke-Expression, no here-strings, no script blocks from text", function () {
                const parsed = parse(template);
                assert.deepEqual(parsed.commandNames.filter((name) => /^(Invoke-Expression|iex)$/i.test(name)), []);
                assert.deepEqual([...parsed.nodeTypes].filter((type) => type.includes("here_string")), []);
                assert.equal(/ScriptBlock\]::Create|NewScriptBlock/i.test(template), false);
            });

            it("reports only error codes the TypeScript side knows", function () {
                for (const code of codesIn(template)) {
                    assert.ok((SCRIPT_ERROR_CODES as readonly string[]).includes(code), `unknown code ${code}`);
                }
            });
        });
    }

    it("every error code the TypeScript side knows is reported by some script", function () {
        const reported = new Set(OPERATION_NAMES.flatMap((op) => [...codesIn(SCRIPT_TEMPLATES[op])]));
        assert.deepEqual(SCRIPT_ERROR_CODES.filter((code) => !reported.has(code)), []);
    });

    it("the IIS scripts know exactly the session attributes of the settings schema", function () {
        for (const op of ["read", "apply"] as const) {
            const match = /\$SessionAttributes = @\(([^)]*)\)/.exec(SCRIPT_TEMPLATES[op]);
            assert.ok(match, `no $SessionAttributes in ${op}`);
            const names = match[1].split(",").map((item) => item.trim().replace(/^'|'$/g, ""));
            assert.deepEqual(names, [...SESSION_ATTRIBUTES]);
        }
    });

    it("apply checks the whole request before it loads IIS's API or reads the file", function () {
        const body = SCRIPT_TEMPLATES.apply.slice(SCRIPT_TEMPLATES.apply.indexOf("function Invoke-Operation"));
        const lastCheck = body.lastIndexOf("is both set and removed");
        assert.ok(lastCheck > 0);
        for (const touch of ["New-ServerManager", "Read-State", "SetAttributeValue", "CommitChanges"]) {
            assert.ok(body.indexOf(touch) > lastCheck, `${touch} comes before the request is fully checked`);
        }
    });

    it("apply reads back with a new ServerManager after committing", function () {
        const body = SCRIPT_TEMPLATES.apply.slice(SCRIPT_TEMPLATES.apply.indexOf("function Invoke-Operation"));
        const commit = body.indexOf("$manager.CommitChanges()");
        const dispose = body.indexOf("$manager.Dispose()", commit);
        const readBack = body.indexOf("$state = Read-State $location\n", dispose);
        assert.ok(commit > 0 && dispose > commit && readBack > dispose);
        // Read-State without the caller's ServerManager makes (and disposes of) its own.
        assert.ok(/function Read-State\(\[string\]\$requestedLocation, \$manager\) \{[\s\S]*?\$own = \$null -eq \$manager\s*if \(\$own\) \{ \$manager = New-ServerManager \}[\s\S]*?finally \{ if \(\$own\) \{ \$manager\.Dispose\(\) \} \}/.test(SCRIPT_TEMPLATES.apply));
    });

    it("apply reads the location's state (the read script's own Read-State) before it changes anything, through the manager that changes it", function () {
        const body = SCRIPT_TEMPLATES.apply.slice(SCRIPT_TEMPLATES.apply.indexOf("function Invoke-Operation"));
        const manager = body.indexOf("$manager = New-ServerManager");
        const element = body.indexOf("$session = Get-SessionElement $manager", manager);
        const before = body.indexOf("$before = Read-State $location $manager", element);
        assert.ok(manager > 0 && element > manager && before > element, "before is read through the write's own ServerManager");
        const refusal = body.indexOf("Stop-Operation 'overridden'", before);
        assert.ok(refusal > before, "an attribute a web.config sets is refused once before is read");
        for (const change of ["SetAttributeValue", ".Delete()", "CommitChanges"]) {
            assert.ok(body.indexOf(change) > refusal, `${change} comes before the state it replaces is read and checked`);
        }
        for (const name of ["Read-Explicit", "Read-Effective", "Read-State", "Read-WebConfigured"]) {
            const definition = (op: "read" | "apply") => new RegExp(`\\nfunction ${name}\\([\\s\\S]*?\\n\\}\\n`).exec(SCRIPT_TEMPLATES[op])?.[0];
            assert.ok(definition("read"));
            assert.equal(definition("apply"), definition("read"), `read and apply share ${name}`);
        }
        assert.ok(SCRIPT_TEMPLATES.read.includes("$state = Read-State (Get-Location $request)"), "read reports what Read-State reads");
    });

    it("apply sets only what differs by value, deletes only what is set there, and commits only if something changed", function () {
        const body = SCRIPT_TEMPLATES.apply.slice(SCRIPT_TEMPLATES.apply.indexOf("function Invoke-Operation"));
        const lines = body.split("\n").map((line) => line.trim());
        const skip = lines.indexOf("if ($before['explicit'].Contains($name) -and (Test-SameValue $name $before['explicit'][$name] $values[$name])) { continue }");
        assert.ok(skip > 0, "an attribute already holding the value is skipped");
        assert.deepEqual(lines.slice(skip + 1, skip + 3), ["$session.SetAttributeValue($name, $values[$name])", "$changes++"]);
        assert.ok(lines.includes("if ($before['explicit'].Contains($name)) { $session.GetAttribute($name).Delete(); $changes++ }"));
        const commit = lines.indexOf("if ($changes -gt 0) {");
        assert.ok(commit > 0, "commits only if something changed");
        assert.equal(lines[commit + 1], "try { $manager.CommitChanges() }");
        assert.equal(body.split("CommitChanges()").length - 1, 1, "one commit");
        assert.equal(body.split("SetAttributeValue(").length - 1, 1, "one place sets");
    });

    it("the comparison is by value: booleans in any case, max as a uint32, timeout as a TimeSpan; text that does not parse differs", function () {
        const script = SCRIPT_TEMPLATES.apply;
        const compare = /function Test-SameValue\(\[string\]\$name, \[string\]\$text, \$value\) \{([\s\S]*?)\n\}/.exec(script);
        assert.ok(compare, "no Test-SameValue");
        assert.match(compare[1], /try \{ return \(\(ConvertTo-SessionValue \$name \$text\.Trim\(\)\) -eq \$value\) \}\s*catch \{ return \$false \}/);
        for (const parse of ["[uint32]::Parse($text, [System.Globalization.NumberStyles]::None, $invariant)", "[TimeSpan]::ParseExact($text, 'c', $invariant)", "[bool]::Parse($text)"]) {
            assert.ok(script.includes(parse), `missing: ${parse}`);
        }
        // The read-back is checked with the same comparison.
        assert.ok(script.includes("if (-not (Test-SameValue $name $actual $value))"));
        assert.ok(script.includes("if (-not (Test-SameValue $name ([string]$applied) $value))"));
    });

    it("apply returns the read-back with before (explicit and effective as found), changed and verified", function () {
        const lines = SCRIPT_TEMPLATES.apply.split("\n").map((line) => line.trim());
        const at = lines.indexOf("$state['before'] = $before");
        assert.ok(at > 0);
        assert.deepEqual(lines.slice(at + 1, at + 4), ["$state['changed'] = $changes -gt 0", "$state['verified'] = $true", "return $state"]);
    });

    it("explicit values are found by comparing location paths in PowerShell, not by an XPath built from the request", function () {
        const script = SCRIPT_TEMPLATES.read;
        assert.ok(script.includes("[string]::Equals($path, $location, [System.StringComparison]::OrdinalIgnoreCase)"));
        for (const match of script.matchAll(/Select(?:Single)?Nodes?\(([^)]*)\)/g)) {
            assert.match(match[1], /^'[^'$]*'$/, `XPath is not a constant: ${match[1]}`);
        }
    });

    it("writeFile writes a temp file in the target's folder, flushes it to disk, replaces atomically and cleans up", function () {
        const script = SCRIPT_TEMPLATES.writeFile;
        const order = [
            "[System.IO.FileShare]'Read, Delete'",
            "if ($actual -cne $expected)",
            "[System.IO.Path]::GetDirectoryName($path)",
            "$tempStream.Flush($true)",
            "[System.IO.File]::Replace($temp, $path, $replacedPath)",
            // The replaced bytes must be the ones hashed; else another writer's file is put back.
            "$replaced = Get-Sha256Hex ([System.IO.File]::ReadAllBytes($replacedPath))",
            "if ($replaced -cne $expected) {",
            "[System.IO.File]::Replace($replacedPath, $path, [NullString]::Value)",
            "Stop-Operation 'conflict'",
            // Only then does the replaced file become the backup.
            "[System.IO.File]::Move($replacedPath, $backupPath)",
            "[System.IO.File]::Delete($temp)",
        ].map((step) => [step, script.lastIndexOf(step)] as const);
        for (const [step, at] of order) assert.ok(at > 0, `missing: ${step}`);
        for (let i = 1; i < order.length; i++) assert.ok(order[i][1] > order[i - 1][1], `${order[i][0]} comes before ${order[i - 1][0]}`);
        assert.ok(/\} finally \{[\s\S]*\[System\.IO\.File\]::Delete\(\$temp\)/.test(script), "the temp file is not deleted in a finally block");
    });

    it("every script finds applicationHost.config with the same Find-ApplicationHost; readFile and writeFile take a path instead when the request has one", function () {
        const definition = (op: (typeof OPERATION_NAMES)[number]) => /\nfunction Find-ApplicationHost\(\[string\]\$windir\) \{[\s\S]*?\n\}\n/.exec(SCRIPT_TEMPLATES[op])?.[0];
        assert.ok(definition("read"));
        for (const op of OPERATION_NAMES) assert.equal(definition(op), definition("read"), `${op} has its own Find-ApplicationHost`);
        assert.ok(definition("read")?.includes("SelectSingleNode('/configuration/configurationRedirection')"));
        for (const op of ["readFile", "writeFile"] as const) {
            assert.ok(SCRIPT_TEMPLATES[op].includes("if ($request.ContainsKey('path')) { return @{ path = (Get-AbsolutePath $request 'path'); source = 'configPath' } }"));
            assert.ok(SCRIPT_TEMPLATES[op].includes("$file = Get-ConfigFile $request"));
        }
        assert.ok(SCRIPT_TEMPLATES.read.includes("$file = (Find-ApplicationHost (Get-WindowsFolder $env:windir)).path"));
    });
});
