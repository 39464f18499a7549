/**
 * Mode xml with web.config files on the way: where the asp section is unlocked, the values a
 * web.config sets are what IIS applies, named as such; a write they would override is refused
 * before anything is written; a file that cannot be read is named, not guessed; a web.config that
 * uses the section where it is locked is IIS's configuration error. Through the local store (files
 * on this machine) and through the remote one (real PowerShell reading them "on the server").
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { auditExitCode, auditFleet } from "../../cli/drift/audit";
import type { Inventory } from "../../sdk/fleet/inventory";
import { XmlFileBackend } from "../../provider/backends/xmlFile";
import { IisApiBackend } from "../../provider/backends/iisApi";
import { LocalConfigFile } from "../../provider/stores/local/localConfigFile";
import { RemoteConfigFile } from "../../provider/stores/remoteConfigFile";
import type { ConfigFileStore } from "../../provider/stores/configFile";
import { OWN_FIXTURE } from "../support/hostFixture";
import { PwshRunner, requirePwsh } from "../support/pwsh";
import { rejection } from "../support/rejection";
import { scratchWindows } from "../support/windowsFolder";

/** The variable the sites' physical paths use, as %SystemDrive% is used on Windows: expanded where the files are read. */
const ROOT_VARIABLE = "ASP_SESSION_TEST_SITES";
const SHOP = "Default Web Site/shop";

function webConfig(session: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n  <system.webServer>\n    <asp>\n      <session ${session} />\n    </asp>\n  </system.webServer>\n</configuration>\n`;
}

interface Server {
    file: string;
    sites: string;
    windir: string;
}

/**
 * The sample applicationHost.config with its sites' folders under a scratch folder (named through
 * %ASP_SESSION_TEST_SITES%), and `unlock` appended (a <location> unlocking asp, say).
 */
function server(unlock: string, webConfigs: Record<"site" | "shop", string | undefined>): Server {
    const scratch = scratchWindows(OWN_FIXTURE);
    const sites = path.join(scratch.dir, "sites");
    for (const folder of ["wwwroot", "shop", "intranet"]) fs.mkdirSync(path.join(sites, folder), { recursive: true });
    let text = fs.readFileSync(scratch.file, "utf8")
        .replace("%SystemDrive%\\inetpub\\wwwroot", `%${ROOT_VARIABLE}%/wwwroot`)
        .replace("D:\\sites\\shop", `%${ROOT_VARIABLE}%/shop`)
        .replace("D:\\sites\\intranet", `%${ROOT_VARIABLE}%/intranet`);
    text = text.replace("</configuration>", `${unlock}\n</configuration>`);
    fs.writeFileSync(scratch.file, text);
    if (webConfigs.site !== undefined) fs.writeFileSync(path.join(sites, "wwwroot", "web.config"), webConfigs.site);
    if (webConfigs.shop !== undefined) fs.writeFileSync(path.join(sites, "shop", "web.config"), webConfigs.shop);
    return { file: scratch.file, sites, windir: scratch.windir };
}

const UNLOCK_SITE = '<location path="Default Web Site" overrideMode="Allow"><system.webServer><asp /></system.webServer></location>';

/** Gives every test of the calling describe block ROOT_VARIABLE's value back as it found it. */
function restoresRootVariable(): void {
    let saved: string | undefined;
    beforeEach(function () {
        saved = process.env[ROOT_VARIABLE];
    });
    afterEach(function () {
        if (saved === undefined) delete process.env[ROOT_VARIABLE];
        else process.env[ROOT_VARIABLE] = saved;
    });
}

describe("mode xml reads the web.config files IIS reads", function () {
    this.timeout(120_000);
    restoresRootVariable();

    const stores: Array<{ name: string; open: (test: Mocha.Context, at: Server) => ConfigFileStore }> = [
        { name: "a local file", open: (_test, at) => new LocalConfigFile(at.file) },
        { name: "a remote file, read by PowerShell on the server", open: (test, at) => new RemoteConfigFile(new PwshRunner(requirePwsh(test), at.file), at.file) },
    ];

    for (const store of stores) {
        describe(store.name, function () {
            it("where the section is unlocked for the site, its web.config's value is effective, and its file is named as the source", async function () {
                const at = server(UNLOCK_SITE, { site: webConfig('max="77"'), shop: undefined });
                process.env[ROOT_VARIABLE] = at.sites;
                const reading = await new XmlFileBackend(store.open(this, at)).read(SHOP);
                assert.equal(reading.effective.max, 77);
                const origin = reading.sources?.max;
                assert.equal(origin?.level, "webConfig");
                assert.ok(origin?.level === "webConfig" && origin.file.endsWith(path.join(at.sites, "wwwroot", "web.config")), JSON.stringify(origin));
                assert.equal(reading.unread, undefined);
            });

            it("refuses, before writing, to set an attribute a web.config overrides, naming the file; sets the others", async function () {
                const at = server(UNLOCK_SITE, { site: undefined, shop: webConfig('max="9"') });
                process.env[ROOT_VARIABLE] = at.sites;
                const backend = new XmlFileBackend(store.open(this, at));
                const before = fs.readFileSync(at.file);
                const error = await rejection(backend.write(SHOP, { set: { max: 100 }, restore: {}, remove: [] }));
                assert.match(error.message, /a web\.config sets max \(set to 9 by .*shop[\\/]web\.config\).*would not change what IIS applies.*nothing was written/);
                assert.deepStrictEqual(fs.readFileSync(at.file), before, "applicationHost.config was written");
                const written = await backend.write(SHOP, { set: { timeout: "00:30:00" }, restore: {}, remove: [] });
                assert.equal(written.after.effective.timeout, "00:30:00");
                assert.equal(written.after.effective.max, 9, "the web.config's max is still what IIS applies");
            });

            it("names a web.config it cannot read where the section is unlocked, and claims nothing from it", async function () {
                const at = server(UNLOCK_SITE, { site: undefined, shop: undefined });
                process.env[ROOT_VARIABLE] = at.sites;
                fs.rmSync(path.join(at.sites, "wwwroot"), { recursive: true });
                const reading = await new XmlFileBackend(store.open(this, at)).read(SHOP);
                assert.equal(reading.unread?.length, 1, JSON.stringify(reading.unread));
                assert.match(reading.unread![0].file, /wwwroot[\\/]web\.config$/);
                assert.match(reading.unread![0].reason, /folder/);
            });

            it("a web.config using the section where it is locked again (overrideMode=\"Deny\" for the application) is IIS's configuration error, naming the file", async function () {
                const relock = '<location path="Default Web Site/shop" overrideMode="Deny"><system.webServer><asp /></system.webServer></location>';
                const at = server(UNLOCK_SITE + relock, { site: undefined, shop: webConfig('max="77"') });
                process.env[ROOT_VARIABLE] = at.sites;
                const error = await rejection(new XmlFileBackend(store.open(this, at)).read(SHOP));
                assert.match(error.message, /shop[\\/]web\.config: This configuration section cannot be used at this path\..*HTTP 500\.19/);
            });

            it("an unset environment variable in a physical path is named where the section is unlocked", async function () {
                const at = server(UNLOCK_SITE, { site: undefined, shop: undefined });
                delete process.env[ROOT_VARIABLE];
                const reading = await new XmlFileBackend(store.open(this, at)).read("Default Web Site");
                assert.match(reading.unread?.[0]?.reason ?? "", new RegExp(`%${ROOT_VARIABLE}%.*not set`));
            });
        });
    }

    it("where the section is locked all the way (IIS's default), reads no web.config: no command more than before", async function () {
        const at = server("", { site: webConfig('max="77"'), shop: undefined });
        process.env[ROOT_VARIABLE] = at.sites;
        const runner = new PwshRunner(requirePwsh(this), at.file);
        const reading = await new XmlFileBackend(new RemoteConfigFile(runner, at.file)).read(SHOP);
        assert.equal(runner.runs.length, 1, "one command: the file's read");
        assert.equal(reading.effective.max, 4294967295);
    });

    it("refuses a web.config given as the target's file, saying which file to give, and writes nothing", async function () {
        const at = server(UNLOCK_SITE, { site: webConfig('max="77"'), shop: undefined });
        const file = path.join(at.sites, "wwwroot", "web.config");
        const before = fs.readFileSync(file);
        const backend = new XmlFileBackend(new LocalConfigFile(file));
        for (const attempt of [backend.read("Default Web Site"), backend.write("Default Web Site", { set: { max: 1 }, restore: {}, remove: [] })]) {
            const error = await rejection(attempt);
            assert.match(error.message, /web\.config: has no <system\.applicationHost>, so it is not an applicationHost\.config.*give the server's applicationHost\.config/);
        }
        assert.deepStrictEqual(fs.readFileSync(file), before);
    });

    it("the drift audit: a web.config override is its own status naming the file, a missing site too; exit 2", async function () {
        const at = server(UNLOCK_SITE, { site: webConfig('max="77"'), shop: undefined });
        process.env[ROOT_VARIABLE] = at.sites;
        const inventory: Inventory = {
            file: path.join(at.sites, "fleet.yaml"),
            settings: { max: 77, timeout: "00:20:00" },
            locations: [SHOP, "Default Website"],
            servers: [{ name: "web01", target: { kind: "file", path: at.file } }],
        };
        const entries = await auditFleet(inventory);
        const [shop, typo] = entries;
        assert.equal(shop.status, "overridden");
        assert.match(shop.reason ?? "", /max is set to 77 by .*wwwroot[\\/]web\.config/);
        assert.deepStrictEqual(shop.effective.max, { value: 77, source: "webConfig", from: path.join(at.sites, "wwwroot", "web.config") });
        assert.equal(typo.status, "no-such-site");
        assert.match(typo.reason ?? "", /no <site> is named "Default Website".*closest site is "Default Web Site"/);
        assert.equal(auditExitCode(entries), 2);
    });
});

describe("mode iis reads them through GetWebConfiguration (the scripts over the Microsoft.Web.Administration double)", function () {
    this.timeout(300_000);
    restoresRootVariable();

    function backend(test: Mocha.Context, at: Server): IisApiBackend {
        process.env[ROOT_VARIABLE] = at.sites;
        return new IisApiBackend(new PwshRunner(requirePwsh(test), at.file));
    }

    it("where the section is unlocked for the site, its web.config's value is effective, and the read names its file as the source", async function () {
        const at = server(UNLOCK_SITE, { site: webConfig('max="77"'), shop: undefined });
        const reading = await backend(this, at).read(SHOP);
        assert.equal(reading.effective.max, 77);
        assert.deepStrictEqual(reading.sources?.max, { level: "webConfig", path: "Default Web Site", file: `web01.test:5985:${path.join(at.sites, "wwwroot", "web.config")}` });
        assert.equal(reading.sources?.timeout.level, "default");
        assert.equal(reading.unread, undefined);
    });

    it("refuses, before writing, to set an attribute a web.config overrides, naming the file; sets the others, and IIS still applies the web.config's", async function () {
        const at = server(UNLOCK_SITE, { site: undefined, shop: webConfig('max="9"') });
        const iis = backend(this, at);
        const before = fs.readFileSync(at.file);
        const error = await rejection(iis.write(SHOP, { set: { max: 100, timeout: "00:30:00" }, restore: {}, remove: [] }));
        assert.match(error.message, /a web\.config sets max \(set to 9 by .*shop[\\/]web\.config\).*would not change what IIS applies.*nothing was written/);
        assert.deepStrictEqual(fs.readFileSync(at.file), before, "applicationHost.config was written");
        const written = await iis.write(SHOP, { set: { timeout: "00:30:00" }, restore: {}, remove: [] });
        assert.equal(written.after.effective.timeout, "00:30:00");
        assert.equal(written.after.effective.max, 9, "the web.config's max is still what IIS applies");
    });

    it("names a web.config IIS cannot read, with IIS's reason, and claims nothing from it", async function () {
        const at = server(UNLOCK_SITE, { site: undefined, shop: undefined });
        // A folder where the file should be: reading it is refused as access to the file is.
        fs.mkdirSync(path.join(at.sites, "wwwroot", "web.config"));
        const reading = await backend(this, at).read(SHOP);
        assert.equal(reading.unread?.length, 1, JSON.stringify(reading.unread));
        assert.equal(reading.unread![0].file, `web01.test:5985:${path.join(at.sites, "wwwroot", "web.config")}`);
        assert.match(reading.unread![0].reason, /Cannot read configuration file/);
        assert.equal(reading.effective.max, 4294967295);
    });

    it("a web.config using the section where it is locked again (overrideMode=\"Deny\" for the application) is IIS's configuration error, naming the file", async function () {
        const relock = '<location path="Default Web Site/shop" overrideMode="Deny"><system.webServer><asp /></system.webServer></location>';
        const at = server(UNLOCK_SITE + relock, { site: undefined, shop: webConfig('max="77"') });
        const error = await rejection(backend(this, at).read(SHOP));
        assert.match(error.message, /configError.*shop[\\/]web\.config.*This configuration section cannot be used at this path/s);
    });
});
