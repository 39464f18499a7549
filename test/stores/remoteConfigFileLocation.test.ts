/**
 * Mode "xml" without configPath: the readFile and writeFile scripts find applicationHost.config on
 * the server as IIS does, from %windir% and redirection.config, in real PowerShell 7. The scratch
 * folder is %windir% for the scripts (see windowsFolder.ts); a "share" is another folder, named by
 * redirection.config in the shape IIS writes it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PowerShellScriptError } from "../../provider/powershell";
import { RemoteConfigFile } from "../../provider/stores/remoteConfigFile";
import { XmlFileBackend } from "../../provider/backends/xmlFile";
import { ConfigChangedError } from "../../provider/stores/configFile";
import { PwshRunner, requirePwsh } from "../support/pwsh";
import { realSizedApplicationHost } from "../support/realSizedApplicationHost";
import { scratchWindows, type ScratchWindows } from "../support/windowsFolder";
import { rejection } from "../support/rejection";

const SOURCE = realSizedApplicationHost();
const HOST = "web01.test:5985";
const SHARED_LABEL = " (IIS Shared Configuration, from redirection.config)";

/** The attributes of <configurationRedirection>, written as IIS Manager writes redirection.config (the password is an opaque stand-in). */
function redirectionConfig(attributes: string): string {
    return [
        "<configuration>",
        "    <configSections>",
        '        <section name="configurationRedirection" />',
        "    </configSections>",
        "    <configProtectedData>",
        "        <providers>",
        '            <add name="IISRsaProvider" type="" description="Uses RsaCryptoServiceProvider to encrypt and decrypt" keyContainerName="iisConfigurationKey" cspProviderName="" useMachineContainer="true" useOAEP="false" />',
        "        </providers>",
        "    </configProtectedData>",
        `    <configurationRedirection ${attributes} />`,
        "</configuration>",
        "",
    ].join("\r\n");
}

/** XML attribute text. */
function xmlAttr(value: string): string {
    return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

describe("RemoteConfigFile without configPath: the server finds applicationHost.config (%windir%, redirection.config; real PowerShell 7)", function () {
    this.timeout(300_000);
    let pwsh: string;
    let scratch: ScratchWindows;
    let runner: PwshRunner;
    let redirection: string;
    /** A folder standing for the share of a web farm, holding a different applicationHost.config. */
    let share: string;
    let sharedFile: string;
    before(function () {
        pwsh = requirePwsh(this);
    });
    beforeEach(function () {
        scratch = scratchWindows(SOURCE);
        runner = new PwshRunner(pwsh, scratch.file, HOST);
        redirection = path.join(path.dirname(scratch.file), "redirection.config");
        share = path.join(scratch.dir, "farm share", "config");
        fs.mkdirSync(share, { recursive: true });
        sharedFile = path.join(share, "applicationHost.config");
        const text = fs.readFileSync(scratch.file, "utf8");
        fs.writeFileSync(sharedFile, text.replace("</configuration>", "<!-- the farm's file -->\r\n</configuration>"));
    });
    afterEach(function () {
        fs.rmSync(scratch.dir, { recursive: true, force: true });
    });

    const local = () => fs.readFileSync(scratch.file);

    it("no redirection.config: %windir%\\System32\\inetsrv\\config\\applicationHost.config, in one command on the command line, named in the label", async function () {
        const file = new RemoteConfigFile(runner);
        const content = await file.read();
        assert.ok(content.bytes.equals(local()));
        assert.equal(content.label, `${HOST}:${scratch.file}`);
        assert.equal(runner.runs.length, 1);
        assert.equal(runner.runs[0].command.stdin, undefined);
        assert.deepEqual(runner.steps(), ["read the server's applicationHost.config"]);
    });

    const localCases: { name: string; attributes: string | undefined }[] = [
        { name: "redirection.config as IIS installs it (<configurationRedirection />)", attributes: "" },
        { name: 'enabled="false" with a path', attributes: 'enabled="false" path="SHARE"' },
        { name: 'enabled="False" (IIS reads booleans in any case)', attributes: 'enabled="False" path="SHARE"' },
        { name: "a redirection.config without <configurationRedirection>", attributes: undefined },
    ];
    for (const { name, attributes } of localCases) {
        it(`${name}: the file under %windir%`, async function () {
            fs.writeFileSync(
                redirection,
                attributes === undefined ? "<configuration><configSections /></configuration>" : redirectionConfig(attributes.replace("SHARE", xmlAttr(share))),
            );
            const content = await new RemoteConfigFile(runner).read();
            assert.ok(content.bytes.equals(local()));
            assert.equal(content.label, `${HOST}:${scratch.file}`);
        });
    }

    const sharedCases: { name: string; path: () => string }[] = [
        { name: "the share's folder", path: () => share },
        { name: "with a trailing separator", path: () => share + path.sep },
        { name: "through an environment variable (%windir%), expanded as IIS expands it", path: () => `%windir%${path.sep}..${path.sep}farm share${path.sep}config` },
    ];
    for (const { name, path: sharePath } of sharedCases) {
        it(`Shared Configuration enabled, ${name}: the file on the share`, async function () {
            fs.writeFileSync(redirection, redirectionConfig(`enabled="true" path="${xmlAttr(sharePath())}" userName="FARM\\iis-config" password="[enc:IISRsaProvider:AAAA:enc]"`));
            const content = await new RemoteConfigFile(runner).read();
            assert.ok(content.bytes.equals(fs.readFileSync(sharedFile)));
            assert.ok(content.label?.endsWith(`applicationHost.config${SHARED_LABEL}`), content.label);
            assert.ok(content.label?.startsWith(`${HOST}:`), content.label);
        });
    }

    it("Shared Configuration: an apply edits the file on the share, keeps its backup beside it, and leaves the local file alone", async function () {
        fs.writeFileSync(redirection, redirectionConfig(`enabled="true" path="${xmlAttr(share)}"`));
        const localBefore = local();
        const sharedBefore = fs.readFileSync(sharedFile);
        const backend = new XmlFileBackend(new RemoteConfigFile(runner));
        const result = await backend.write("Default Web Site", { set: { max: 1000 }, restore: {}, remove: [] });
        assert.deepEqual(result.after.explicitRaw, { max: "1000" });
        assert.match(fs.readFileSync(sharedFile, "utf8"), /<session max="1000" \/>/);
        assert.ok(fs.readFileSync(`${sharedFile}.asp-session.bak`).equals(sharedBefore));
        assert.ok(local().equals(localBefore));
        assert.equal(fs.existsSync(`${scratch.file}.asp-session.bak`), false);
        assert.deepEqual(runner.steps(), [
            "read the server's applicationHost.config",
            "write the server's applicationHost.config",
            "read the server's applicationHost.config",
        ]);
    });

    it("a configPath overrides Shared Configuration", async function () {
        fs.writeFileSync(redirection, redirectionConfig(`enabled="true" path="${xmlAttr(share)}"`));
        const content = await new RemoteConfigFile(runner, scratch.file).read();
        assert.ok(content.bytes.equals(local()));
        assert.equal(content.label, `${HOST}:${scratch.file}`);
    });

    it("the file IIS uses is found again for each write: a stale version is a conflict naming the file found", async function () {
        const file = new RemoteConfigFile(runner);
        const { version } = await file.read();
        // Shared Configuration switched on between the read and the write: the share's file holds other bytes.
        fs.writeFileSync(redirection, redirectionConfig(`enabled="true" path="${xmlAttr(share)}"`));
        const sharedBefore = fs.readFileSync(sharedFile);
        const error = await rejection(file.write(Buffer.from("<configuration />"), version));
        assert.ok(error instanceof ConfigChangedError);
        assert.ok(error.message.startsWith(`${HOST}:${sharedFile} changed since it was read`), error.message);
        assert.ok(fs.readFileSync(sharedFile).equals(sharedBefore));
    });

    describe("a redirection.config IIS would refuse: configError naming it, nothing written", function () {
        const cases: { name: string; text: string; message: RegExp }[] = [
            { name: "not XML", text: "<configuration><configurationRedirection enabled=\"true\"", message: /redirection\.config \(whether Shared Configuration is on\): / },
            { name: "a DTD (refused, as every file the scripts parse)", text: '<!DOCTYPE configuration [<!ENTITY x "y">]><configuration />', message: /redirection\.config \(whether Shared Configuration is on\): .*DTD/ },
            { name: 'enabled="yes"', text: redirectionConfig('enabled="yes" path="/x"'), message: /redirection\.config: enabled="yes" is not true or false/ },
            { name: "enabled without a path", text: redirectionConfig('enabled="true"'), message: /redirection\.config enables Shared Configuration; its path "" is not an absolute path/ },
            { name: "enabled with a relative path", text: redirectionConfig('enabled="true" path="config"'), message: /its path "config" is not an absolute path \(\/\.\.\.\)/ },
        ];
        for (const { name, text, message } of cases) {
            it(name, async function () {
                fs.writeFileSync(redirection, text);
                const before = local();
                const file = new RemoteConfigFile(runner);
                for (const attempt of [() => file.read(), () => file.write(Buffer.from("<configuration />"), "0".repeat(64))]) {
                    const error = await rejection(attempt());
                    assert.ok(error instanceof PowerShellScriptError, String(error));
                    assert.equal(error.code, "configError", error.message);
                    assert.ok(error.message.includes(redirection), error.message);
                    assert.match(error.message, message);
                }
                assert.ok(local().equals(before));
            });
        }
    });

    describe("a share the connecting account cannot read: the error says Shared Configuration is on, names the share and what the account needs", function () {
        // Tests run as root, whom no permission stops: a share that is missing, or is a file, or a
        // folder where the file should be, fails the same open an unreadable share fails.
        const cases: { name: string; arrange: () => string; code: string }[] = [
            { name: "a share that does not exist", arrange: () => path.join(scratch.dir, "offline"), code: "notFound" },
            {
                name: "a share path that is a file",
                arrange: () => {
                    const notAFolder = path.join(scratch.dir, "not-a-folder");
                    fs.writeFileSync(notAFolder, "x");
                    return notAFolder;
                },
                code: "notFound",
            },
            {
                name: "a folder where applicationHost.config should be",
                arrange: () => {
                    const odd = path.join(scratch.dir, "odd share");
                    fs.mkdirSync(path.join(odd, "applicationHost.config"), { recursive: true });
                    return odd;
                },
                code: "accessDenied",
            },
        ];
        for (const { name, arrange, code } of cases) {
            it(name, async function () {
                const sharePath = arrange();
                fs.writeFileSync(redirection, redirectionConfig(`enabled="true" path="${xmlAttr(sharePath)}" userName="FARM\\iis-config" password="[enc:IISRsaProvider:c2VjcmV0:enc]"`));
                const before = local();
                const file = new RemoteConfigFile(runner);
                for (const attempt of [() => file.read(), () => file.write(Buffer.from("<configuration />"), "0".repeat(64))]) {
                    const error = await rejection(attempt());
                    assert.ok(error instanceof PowerShellScriptError, String(error));
                    assert.equal(error.code, code, error.message);
                    for (const part of [
                        `on ${HOST} failed (${code}): IIS Shared Configuration is enabled (${redirection})`,
                        `${path.join(sharePath, "applicationHost.config")} on the share ${sharePath}`,
                        "cannot be opened with the credentials of the account the provider connects as",
                        `That account needs read and write access to ${sharePath}`,
                        "the provider does not use the userName and password stored in redirection.config",
                        "connect to the file server and give configPath",
                    ]) {
                        assert.ok(error.message.includes(part), `missing "${part}" in: ${error.message}`);
                    }
                    // The stored credentials are never echoed.
                    assert.ok(!error.message.includes("c2VjcmV0") && !error.message.includes("FARM\\iis-config"), error.message);
                }
                assert.ok(local().equals(before));
            });
        }
    });
});
