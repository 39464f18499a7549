/**
 * The Microsoft.Web.Administration double (test/support/mwa) on its own, against IIS's schema for
 * system.webServer/asp (../shared/reference/iis/asp_sectionSchema.xml) and IIS's documented
 * behaviour. One PowerShell 7 process runs every probe (a start-up costs seconds) and prints what
 * it saw as JSON; the assertions are here.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { XMLParser } from "fast-xml-parser";
import { OWN_FIXTURE } from "../support/hostFixture";
import { projectRoot, sharedFile } from "../support/paths";
import { requirePwsh, startPwsh } from "../support/pwsh";
import { commitGuardPath } from "../support/mwa/commitGuard";
import { installMwaDouble } from "../support/mwa/install";
import { removeLater } from "../support/scratch";
import { scratchWindows } from "../support/windowsFolder";

const REFERENCE_SCHEMA = sharedFile("reference", "iis", "asp_sectionSchema.xml");
const REPO_SCHEMA = path.join(projectRoot, "test", "support", "mwa", "schema", "ASP_schema.xml");

interface SchemaAttribute {
    name: string;
    type: string;
    defaultValue?: string;
    validationType?: string;
    validationParameter?: string;
}

/** The <session> attributes of the reference schema. */
function sessionAttributes(schemaXml: string): SchemaAttribute[] {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => name === "attribute" || name === "element" });
    const section = parser.parse(schemaXml).sectionSchema;
    const session = (section.element as Array<{ name: string; attribute: SchemaAttribute[] }>).find((element) => element.name === "session");
    assert.ok(session, "the schema has a session element");
    return session.attribute;
}

/** The probes: each sets `$results[name]` to what happened (a value, or the exception's type, HRESULT and message). */
const PROBES = String.raw`
$ErrorActionPreference = 'Stop'
[void][Reflection.Assembly]::LoadFrom((Join-Path $env:windir 'System32/inetsrv/Microsoft.Web.Administration.dll'))
$file = Join-Path $env:windir 'System32/inetsrv/config/applicationHost.config'
$results = [ordered]@{}
function Probe([string]$probeName, [scriptblock]$probeAction) {
    try { $value = & $probeAction; $results[$probeName] = @{ ok = $true; value = $value } }
    catch {
        $e = $_.Exception; while ($e.InnerException -ne $null -and $e -is [System.Management.Automation.MethodInvocationException]) { $e = $e.InnerException }
        $results[$probeName] = @{ ok = $false; type = $e.GetType().FullName; hresult = ('0x{0:X8}' -f $e.HResult); message = $e.Message }
    }
}
function Session([string]$location) {
    $manager = New-Object Microsoft.Web.Administration.ServerManager
    $config = $manager.GetApplicationHostConfiguration()
    if ($location -eq '') { $section = $config.GetSection('system.webServer/asp') } else { $section = $config.GetSection('system.webServer/asp', $location) }
    return @{ manager = $manager; session = $section.GetChildElement('session') }
}
function Show($value) { if ($value -is [TimeSpan]) { return 'TimeSpan:' + $value.ToString('c') } ; return $value.GetType().Name + ':' + [string]$value }

# Defaults, as typed values, and IsInheritedFromDefaultValue, on a file that sets nothing.
foreach ($name in @('allowSessionState', 'keepSessionIdSecure', 'max', 'timeout')) {
    Probe "default.$name" { $s = Session 'Default Web Site'; $a = $s.session.Attributes[$name]; '{0}|{1}' -f (Show $a.Value), $a.IsInheritedFromDefaultValue }
}
# What IIS's validation accepts and refuses (each on a fresh manager, never committed).
$candidates = [ordered]@{
    'timeout=0' = @('timeout', [TimeSpan]::Zero); 'timeout=60s' = @('timeout', [TimeSpan]::FromSeconds(60)); 'timeout=365d' = @('timeout', [TimeSpan]::FromSeconds(31536000))
    'timeout=59s' = @('timeout', [TimeSpan]::FromSeconds(59)); 'timeout=00:10:30' = @('timeout', [TimeSpan]::Parse('00:10:30')); 'timeout=365d+60s' = @('timeout', [TimeSpan]::FromSeconds(31536060))
    'timeout=-60s' = @('timeout', [TimeSpan]::FromSeconds(-60)); 'timeout=text' = @('timeout', '00:15:00'); 'timeout=1.5' = @('timeout', 1.5)
    'max=0' = @('max', [uint32]0); 'max=uintmax' = @('max', [uint32]::MaxValue); 'max=int64 4294967295' = @('max', [int64]4294967295)
    'max=4294967296' = @('max', [int64]4294967296); 'max=-1' = @('max', -1); 'max=text 12' = @('max', '12'); 'max=text x' = @('max', 'x')
    'allowSessionState=false' = @('allowSessionState', $false); 'allowSessionState=text False' = @('allowSessionState', 'False'); 'allowSessionState=2' = @('allowSessionState', 2)
}
foreach ($key in $candidates.Keys) {
    $pair = $candidates[$key]
    Probe "set.$key" { $s = Session 'Default Web Site'; $s.session.SetAttributeValue($pair[0], $pair[1]); Show ($s.session.GetAttributeValue($pair[0])) }
}
Probe 'unknown attribute' { (Session '').session.GetAttributeValue('Max') }
Probe 'unknown element' { $m = New-Object Microsoft.Web.Administration.ServerManager; $m.GetApplicationHostConfiguration().GetSection('system.webServer/asp').GetChildElement('sessions') }
Probe 'unknown section' { $m = New-Object Microsoft.Web.Administration.ServerManager; $m.GetApplicationHostConfiguration().GetSection('system.webServer/nothing') }

# Writing: the server level into the root section, a site into <location path>, inheritance, Delete.
Probe 'write' {
    $s = Session ''; $s.session.SetAttributeValue('timeout', [TimeSpan]::FromMinutes(45)); $s.manager.CommitChanges()
    $s = Session 'Default Web Site/shop'; $s.session.SetAttributeValue('max', [uint32]7); $s.session.SetAttributeValue('timeout', [TimeSpan]::FromDays(2)); $s.manager.CommitChanges()
    $s = Session 'default web site/SHOP'; $s.session.SetAttributeValue('allowSessionState', $false); $s.manager.CommitChanges()
    [IO.File]::ReadAllText($file)
}
Probe 'inherited' {
    $site = (Session 'Default Web Site').session; $app = (Session 'Default Web Site/shop/cart').session
    '{0}|{1}|{2}|{3}' -f (Show $site['timeout']), $site.Attributes['timeout'].IsInheritedFromDefaultValue, (Show $app['timeout']), (Show $app['max'])
}
Probe 'delete' {
    $s = Session 'Default Web Site/shop'; $s.session.GetAttribute('timeout').Delete(); $s.session.Attributes['max'].Delete(); $s.manager.CommitChanges()
    $after = (Session 'Default Web Site/shop').session
    '{0}|{1}|{2}' -f (Show $after['timeout']), (Show $after['max']), $after.Attributes['max'].IsInheritedFromDefaultValue
}
Probe 'changed on disk' {
    $s = Session 'Default Web Site'; $s.session.SetAttributeValue('max', [uint32]9)
    [IO.File]::AppendAllText($file, '<!-- someone else -->')
    $s.manager.CommitChanges()
}
Probe 'schema order' {
    $text = [IO.File]::ReadAllText($file)
    [IO.File]::WriteAllText($file, $text.Replace('</configuration>', '<location path="Ordered"><system.webServer><asp><cache enableTypelibCache="false" /></asp></system.webServer></location></configuration>'))
    $s = Session 'Ordered'; $s.session.SetAttributeValue('max', [uint32]3); $s.manager.CommitChanges()
    $x = [xml][IO.File]::ReadAllText($file)
    ($x.SelectNodes("/configuration/location[@path='Ordered']/system.webServer/asp/*") | ForEach-Object { $_.Name }) -join ','
}
Probe 'stored value IIS refuses' {
    $text = [IO.File]::ReadAllText($file)
    [IO.File]::WriteAllText($file, $text.Replace('</configuration>', '<location path="Bad"><system.webServer><asp><session timeout="00:10:30" /></asp></system.webServer></location></configuration>'))
    (Session 'Bad').session.GetAttributeValue('timeout')
}
# Shared Configuration: redirection.config beside applicationHost.config moves it to the folder it names.
Probe 'shared configuration' {
    $config = [IO.Path]::GetDirectoryName($file)
    $share = Join-Path ([IO.Path]::GetDirectoryName($env:windir)) 'share'
    [void][IO.Directory]::CreateDirectory($share)
    [IO.File]::Copy($file, (Join-Path $share 'applicationHost.config'), $true)
    $redirection = Join-Path $config 'redirection.config'
    $template = '<configuration><configSections><section name="configurationRedirection" /></configSections><configurationRedirection enabled="{0}" path="{1}" /></configuration>'
    [IO.File]::WriteAllText($redirection, ($template -f 'True', $share))
    $s = Session 'Redirected'; $s.session.SetAttributeValue('max', [uint32]31); $s.manager.CommitChanges()
    $onShare = (Show (Session 'Redirected').session['max'])
    [IO.File]::WriteAllText($redirection, ($template -f 'false', $share))
    $local = (Show (Session 'Redirected').session['max'])
    [IO.File]::Delete($redirection)
    '{0}|{1}|{2}|{3}' -f $onShare, $local, [IO.File]::ReadAllText((Join-Path $share 'applicationHost.config')).Contains('<location path="Redirected">'), [IO.File]::ReadAllText($file).Contains('Redirected')
}
Probe 'not well-formed' { [IO.File]::WriteAllText($file, '<configuration><system.webServer></configuration>'); (Session '').session.GetAttributeValue('max') }
Probe 'missing file' { [IO.File]::Delete($file); (Session '').session.GetAttributeValue('max') }
[Console]::Out.Write((ConvertTo-Json -InputObject $results -Depth 4 -Compress))
`;

interface Outcome {
    ok: boolean;
    value?: string;
    type?: string;
    hresult?: string;
    message?: string;
}

describe("Microsoft.Web.Administration test double (test/support/mwa), on its own", function () {
    this.timeout(300_000);
    let results: Record<string, Outcome>;
    let dir: string;
    let original: string;

    before(async function () {
        const pwsh = requirePwsh(this);
        const scratch = scratchWindows(OWN_FIXTURE);
        dir = scratch.dir;
        original = fs.readFileSync(scratch.file, "utf8");
        installMwaDouble(scratch.windir, pwsh);
        // The shared-configuration probe commits to the copy on its "share": the double's guard for it stays.
        removeLater(commitGuardPath(path.join(path.dirname(scratch.windir), "share", "applicationHost.config")));
        const script = path.join(scratch.dir, "probes.ps1");
        fs.writeFileSync(script, PROBES);
        const program = startPwsh({ pwsh, args: ["-NoProfile", "-NonInteractive", "-File", script], windir: scratch.windir, consoleModeStdin: false });
        program.endInput();
        const output = await program.result;
        assert.equal(output.exitCode, 0, output.stderr.toString());
        results = JSON.parse(output.stdout.toString("utf8")) as Record<string, Outcome>;
    });
    after(function () {
        if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
    });

    function value(name: string): string {
        const outcome = results[name];
        assert.ok(outcome?.ok, `${name}: ${JSON.stringify(outcome)}`);
        return String(outcome.value);
    }
    function refusal(name: string, type = "System.Runtime.InteropServices.COMException"): Outcome {
        const outcome = results[name];
        assert.ok(outcome !== undefined && !outcome.ok, `${name} should have been refused: ${JSON.stringify(outcome)}`);
        assert.equal(outcome.type, type, name);
        return outcome;
    }

    it("its schema file is IIS's system.webServer/asp section schema, verbatim", function () {
        if (REFERENCE_SCHEMA === undefined) this.skip();
        assert.ok(fs.readFileSync(REPO_SCHEMA, "utf8").includes(fs.readFileSync(REFERENCE_SCHEMA, "utf8")));
    });

    it("reports the schema's defaults, typed as the API types them, as inherited from the default", function () {
        const schemaXml = fs.readFileSync(REFERENCE_SCHEMA ?? REPO_SCHEMA, "utf8").replace(/^[\s\S]*?(<sectionSchema)/, "$1").replace(/<\/configSchema>\s*$/, "");
        const typeName: Record<string, string> = { bool: "Boolean", uint: "UInt32", timeSpan: "TimeSpan" };
        for (const attribute of sessionAttributes(schemaXml)) {
            const shown = attribute.type === "timeSpan" ? `TimeSpan:${attribute.defaultValue}` : `${typeName[attribute.type]}:${attribute.type === "bool" ? (attribute.defaultValue === "true" ? "True" : "False") : attribute.defaultValue}`;
            assert.equal(value(`default.${attribute.name}`), `${shown}|True`, attribute.name);
        }
    });

    it("timeSpanRange 0,31536000,60: whole minutes from 0 to 365 days pass; anything else is refused with IIS's message", function () {
        assert.equal(value("set.timeout=0"), "TimeSpan:00:00:00");
        assert.equal(value("set.timeout=60s"), "TimeSpan:00:01:00");
        assert.equal(value("set.timeout=365d"), "TimeSpan:365.00:00:00");
        assert.equal(value("set.timeout=text"), "TimeSpan:00:15:00", "text converts as IIS converts it");
        for (const name of ["set.timeout=59s", "set.timeout=00:10:30", "set.timeout=365d+60s", "set.timeout=-60s"]) {
            const outcome = refusal(name);
            assert.equal(outcome.hresult, "0x80070057", name);
            assert.equal(outcome.message, "Timespan value must be between 00:00:00 and 365.00:00:00 seconds inclusive, with a granularity of 60 seconds");
        }
        assert.match(refusal("set.timeout=1.5").message ?? "", /Cannot convert '1\.5' to a TimeSpan/);
    });

    it("uint: 0 to 4294967295 pass; values outside a uint are refused", function () {
        assert.equal(value("set.max=0"), "UInt32:0");
        assert.equal(value("set.max=uintmax"), "UInt32:4294967295");
        assert.equal(value("set.max=int64 4294967295"), "UInt32:4294967295");
        assert.equal(value("set.max=text 12"), "UInt32:12");
        for (const name of ["set.max=4294967296", "set.max=-1", "set.max=text x"]) assert.match(refusal(name).message ?? "", /unsigned integer from 0 to 4294967295/, name);
    });

    it("bool: true and false, as values or text; a number is refused", function () {
        assert.equal(value("set.allowSessionState=false"), "Boolean:False");
        assert.equal(value("set.allowSessionState=text False"), "Boolean:False");
        assert.match(refusal("set.allowSessionState=2").message ?? "", /boolean/);
    });

    it("unknown attributes, elements and sections are refused as IIS refuses them", function () {
        assert.equal(refusal("unknown attribute").message, "Unrecognized attribute 'Max'.  Note that attribute names are case-sensitive.");
        assert.match(refusal("unknown element").message ?? "", /Unrecognized element 'sessions'/);
        assert.match(refusal("unknown section").message ?? "", /The configuration section 'system.webServer\/nothing' cannot be read because it is missing a section declaration/);
    });

    it("writes the server level into the root section and a site into one <location path> at the end (locations match case-insensitively)", function () {
        const written = value("write");
        const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });
        const configuration = parser.parse(written).configuration;
        assert.deepEqual(configuration["system.webServer"].asp.session, { timeout: "00:45:00" });
        const locations = ([] as Array<Record<string, unknown>>).concat(configuration.location).filter((location) => String(location.path).toLowerCase() === "default web site/shop");
        assert.equal(locations.length, 1);
        assert.equal(locations[0].path, "Default Web Site/shop", "the path as first written");
        assert.deepEqual((locations[0]["system.webServer"] as { asp: unknown }).asp, { session: { max: "7", timeout: "2.00:00:00", allowSessionState: "false" } });
        assert.ok(written.lastIndexOf('<location path="Default Web Site/shop">') > written.lastIndexOf('<location path="Intranet">'), "a new location goes at the end");
        // What it did not change keeps its bytes: the declaration as written, CRLF line ends.
        assert.equal(written.slice(0, 400), original.slice(0, 400));
    });

    it("inherits from the root and parent locations, most specific first; Delete brings the inherited value back", function () {
        assert.equal(value("inherited"), "TimeSpan:00:45:00|False|TimeSpan:2.00:00:00|UInt32:7");
        assert.equal(value("delete"), "TimeSpan:00:45:00|UInt32:4294967295|True");
    });

    it("puts a new child element in schema order (session before cache)", function () {
        assert.equal(value("schema order"), "session,cache");
    });

    it("refuses to commit over a file that changed on disk since it was read, as a FileLoadException as IIS does", function () {
        assert.match(refusal("changed on disk", "System.IO.FileLoadException").message ?? "", /Cannot commit configuration changes because the file has changed on disk/);
    });

    it("follows redirection.config (Shared Configuration) to the applicationHost.config in the folder it names, only while enabled", function () {
        assert.equal(value("shared configuration"), "UInt32:31|UInt32:4294967295|True|False");
    });

    it("file errors carry the Win32 error in the HRESULT and IIS's Filename/Error message shape", function () {
        const stored = refusal("stored value IIS refuses");
        assert.match(stored.message ?? "", /^Filename: \\\\\?\\.*applicationHost\.config\r\nLine number: \d+\r\nError: Timespan value must be between/);
        const malformed = refusal("not well-formed");
        assert.equal(malformed.hresult, "0x8007000D");
        assert.match(malformed.message ?? "", /Error: Configuration file is not well-formed XML/);
        const missing = refusal("missing file");
        assert.equal(missing.hresult, "0x80070002");
        assert.match(missing.message ?? "", /Error: Cannot read configuration file/);
    });
});
