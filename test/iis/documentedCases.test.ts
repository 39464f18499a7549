/**
 * The documented cases (documentedCases.ts) in the three places that model IIS: the TypeScript
 * reader (modes xml and file), the scripts over the Microsoft.Web.Administration double (mode
 * iis, as the provider runs them), and the double on its own. Each is held to the table.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseApplicationHost } from "../../provider/apphost/document";
import { readSession, type WebConfigFile } from "../../provider/apphost/sessionReader";
import { webConfigPlaces } from "../../provider/apphost/webConfigPlaces";
import { IisApiBackend } from "../../provider/backends/iisApi";
import { OWN_FIXTURE } from "../support/hostFixture";
import { installMwaDouble } from "../support/mwa/install";
import { PwshRunner, requirePwsh, startPwsh } from "../support/pwsh";
import { scratchDir } from "../support/scratch";
import { scratchWindows } from "../support/windowsFolder";
import { caseFile, DOCUMENTED_CASES, layOutCase, type SessionExpectation } from "./documentedCases";

/** A path as GetWebConfiguration takes it: the site's name and the virtual path below it. */
function siteAndPath(location: string): { site: string; virtualPath: string } {
    const [site, ...below] = location.split("/");
    return { site, virtualPath: `/${below.join("/")}` };
}

describe("documented IIS cases: what IIS applies at a path", function () {
    this.timeout(300_000);

    it("every case cites Microsoft's documentation", function () {
        for (const documented of DOCUMENTED_CASES) {
            assert.ok(documented.cites.length > 0 && documented.cites.every((cite) => cite.startsWith("https://learn.microsoft.com/")), documented.name);
        }
    });

    it("every case's file says what the case says (the sample's declaration was replaced where asked)", function () {
        for (const documented of DOCUMENTED_CASES) {
            assert.equal(caseFile(documented).includes('<section name="asp" overrideModeDefault="Allow" />'), documented.allowByDefault === true, documented.name);
        }
    });

    describe("the TypeScript reader (web.config files where <sites> puts them)", function () {
        for (const documented of DOCUMENTED_CASES) {
            it(documented.name, function () {
                const document = parseApplicationHost(Buffer.from(caseFile(documented)), "applicationHost.config");
                const webConfigs = webConfigPlaces(document, documented.path).map((place): WebConfigFile => {
                    const text = documented.webConfigs?.[place.path];
                    return text === undefined ? { ...place, label: place.file, state: "missing" } : { ...place, label: place.file, state: "read", document: parseApplicationHost(Buffer.from(text), place.file) };
                });
                assert.deepStrictEqual(
                    Object.keys(documented.webConfigs ?? {}).filter((at) => !webConfigs.some((place) => place.path === at)), [],
                    "every web.config of the case is on the way to its path",
                );
                const read = () => readSession(document, documented.path, "applicationHost.config", webConfigs).effective;
                if ("error" in documented.expected) assert.throws(read, documented.expected.error);
                else assert.deepStrictEqual(read(), documented.expected);
            });
        }
    });

    describe("the scripts over the Microsoft.Web.Administration double (mode iis, web.config files where <sites> puts them)", function () {
        for (const documented of DOCUMENTED_CASES) {
            it(documented.name, async function () {
                const pwsh = requirePwsh(this);
                const scratch = scratchWindows(OWN_FIXTURE);
                layOutCase(documented, scratch.dir, scratch.file);
                const read = new IisApiBackend(new PwshRunner(pwsh, scratch.file)).read(documented.path);
                if ("error" in documented.expected) await assert.rejects(read, documented.expected.error);
                else assert.deepStrictEqual((await read).effective, documented.expected);
            });
        }
    });

    it("the double on its own (ServerManager.GetWebConfiguration(site, path).GetSection(...))", async function () {
        const pwsh = requirePwsh(this);
        const scratch = scratchWindows(OWN_FIXTURE);
        installMwaDouble(scratch.windir, pwsh);
        const cases = scratchDir("asp-session-cases-");
        const inputs = DOCUMENTED_CASES.map((documented, index) => {
            const file = path.join(cases, `${index}.config`);
            layOutCase(documented, path.join(cases, String(index)), file);
            return { file, ...siteAndPath(documented.path) };
        });
        const script = path.join(cases, "read.ps1");
        fs.writeFileSync(script, READ_EACH);
        fs.writeFileSync(path.join(cases, "inputs.json"), JSON.stringify(inputs));
        const result = await startPwsh({ pwsh, args: ["-NoProfile", "-NonInteractive", "-File", script, path.join(cases, "inputs.json")], windir: scratch.windir, consoleModeStdin: false }).result;
        assert.equal(result.exitCode, 0, result.stderr.toString());
        const seen = JSON.parse(result.stdout.toString().trim()) as Array<SessionExpectation | { error: string }>;
        // An error case is held to its pattern: what the double raised, kept when it matches.
        const comparable = seen.map((outcome, index) => {
            const expected = DOCUMENTED_CASES[index].expected;
            return "error" in outcome && "error" in expected && expected.error.test(outcome.error) ? expected : outcome;
        });
        assert.deepStrictEqual(
            Object.fromEntries(DOCUMENTED_CASES.map((documented, index) => [documented.name, comparable[index]])),
            Object.fromEntries(DOCUMENTED_CASES.map((documented) => [documented.name, documented.expected])),
        );
    });
});

/** For each input: copy its file into place, read the four values at its path with a new ServerManager, or IIS's error. */
const READ_EACH = String.raw`
param([string]$inputsFile)
$ErrorActionPreference = 'Stop'
[void][Reflection.Assembly]::LoadFrom((Join-Path $env:windir 'System32/inetsrv/Microsoft.Web.Administration.dll'))
$target = Join-Path $env:windir 'System32/inetsrv/config/applicationHost.config'
$seen = New-Object System.Collections.Generic.List[object]
foreach ($case in (Get-Content -Raw $inputsFile | ConvertFrom-Json)) {
    Copy-Item -LiteralPath $case.file -Destination $target -Force
    $manager = New-Object Microsoft.Web.Administration.ServerManager
    try {
        $section = $manager.GetWebConfiguration($case.site, $case.virtualPath).GetSection('system.webServer/asp')
        $session = $section.GetChildElement('session')
        $seen.Add([ordered]@{
            allowSessionState = [bool]$session.GetAttributeValue('allowSessionState')
            keepSessionIdSecure = [bool]$session.GetAttributeValue('keepSessionIdSecure')
            max = [int64]$session.GetAttributeValue('max')
            timeout = ([TimeSpan]$session.GetAttributeValue('timeout')).ToString('c')
        })
    } catch {
        $e = $_.Exception; while ($e.InnerException -ne $null) { $e = $e.InnerException }
        $seen.Add([ordered]@{ error = $e.Message })
    } finally { $manager.Dispose() }
}
ConvertTo-Json -Compress -Depth 3 -InputObject $seen.ToArray()
`;
