/**
 * Bad inputs and bad files through Pulumi's real dynamic-provider host, as a table: each is
 * refused with a message naming the field, file or host, every call is answered, and the file's
 * bytes, owner and mode are as they were, with nothing left beside it. The host never prints
 * "[object Object]" for a failure.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ProviderCallError, ProviderHost } from "../../examples/engine/providerHost";
import { MAX_CONFIG_BYTES } from "../../provider/stores/local/localConfigFile";
import { OWN_FIXTURE, scratchCopy, startHost, URN } from "../support/hostFixture";

const isRoot = process.getuid?.() === 0;
const fixture = fs.readFileSync(OWN_FIXTURE, "utf8");

/** What a row expects: a check failure on `property`, or create failing; `message` must match the reason. */
type Expectation = { check: string; message: RegExp } | { create: RegExp };

interface Row {
    name: string;
    /** The inputs besides __provider; `file` is the scratch config's path. */
    inputs: (file: string, dir: string) => Record<string, unknown>;
    /** Changes the scratch file (or makes the target something else) before the call. */
    prepare?: (file: string, dir: string) => void;
    expect: Expectation;
}

const file = (path: string) => ({ kind: "file", path });
const winrm = (extra: Record<string, unknown>) => ({ kind: "winrm", host: "web01.example", username: "CORP\\deploy", password: "Pa55-w0rd-never-shown", ...extra });
const huge = "7".repeat(1_000_000);

const ROWS: Row[] = [
    { name: "a lone surrogate in location", inputs: (f) => ({ target: file(f), location: "Default Web Site\ud800", max: 5 }), expect: { check: "location", message: /^location is not valid Unicode text: it holds half of a UTF-16 surrogate pair at position 16/ } },
    { name: "a lone surrogate in target.path", inputs: (f) => ({ target: file(f + "\udc00"), max: 5 }), expect: { check: "target.path", message: /^target\.path is not valid Unicode text/ } },
    { name: "a lone surrogate in a winrm host", inputs: () => ({ target: winrm({ host: "web\ud83d" }), max: 5 }), expect: { check: "target.host", message: /^target\.host is not valid Unicode/ } },
    { name: "a 1 MB timeout string", inputs: (f) => ({ target: file(f), timeout: huge + ":00" }), expect: { check: "timeout", message: /^timeout "7{80}"… \(\d+ more characters\) is not a TimeSpan/ } },
    { name: "a 1 MB bare number as timeout", inputs: (f) => ({ target: file(f), timeout: huge }), expect: { check: "timeout", message: /^timeout "7{80}"… \(999920 more characters\) is ambiguous .* out of range either way/ } },
    { name: "a large bare number as timeout", inputs: (f) => ({ target: file(f), timeout: "999999" }), expect: { check: "timeout", message: /^timeout "999999" is ambiguous \(\.NET reads a bare number as days\), and is out of range either way/ } },
    { name: "a location with a trailing space", inputs: (f) => ({ target: file(f), location: "Default Web Site ", max: 5 }), expect: { check: "location", message: /white space at the start or end of "Default Web Site "; .*did you mean "Default Web Site"\?/ } },
    { name: "a location with a leading space in an application", inputs: (f) => ({ target: file(f), location: "Default Web Site/ shop", max: 5 }), expect: { check: "location", message: /white space at the start or end of " shop"/ } },
    { name: "a 1 MB location", inputs: (f) => ({ target: file(f), location: "a\\" + huge, max: 5 }), expect: { check: "location", message: /^"a\\\\7{78}"… \(\d+ more characters\) contains "\\"/ } },
    { name: "a caCertificate that is not a certificate", inputs: () => ({ target: winrm({ https: true, caCertificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" }), max: 5 }), expect: { check: "target.caCertificate", message: /^target\.caCertificate must be the PEM of the CA \(or server\) certificate to trust: certificate 1 of 1 cannot be read/ } },
    { name: "max out of range, an unknown input and a bad onDelete", inputs: (f) => ({ target: file(f), max: 2 ** 32, onDelete: "keep" }), expect: { check: "max", message: /^max must be a whole number from 0 to 4294967295/ } },
    { name: "a device as the file", inputs: () => ({ target: file("/dev/zero"), max: 5 }), expect: { create: /^\/dev\/zero: cannot edit: is a character device, not a regular file; nothing was written$/ } },
    { name: "a FIFO as the file", prepare: (_f, d) => execFileSync("mkfifo", [path.join(d, "fifo.config")]), inputs: (_f, d) => ({ target: file(path.join(d, "fifo.config")), max: 5 }), expect: { create: /fifo\.config: cannot edit: is a FIFO \(named pipe\), not a regular file/ } },
    { name: "a folder as the file", inputs: (_f, d) => ({ target: file(d), max: 5 }), expect: { create: /asp-session-\w+: cannot edit: is a folder, not a regular file/ } },
    { name: "a missing file", inputs: (_f, d) => ({ target: file(path.join(d, "missing.config")), max: 5 }), expect: { create: /missing\.config: cannot edit: no such file or folder; nothing was written/ } },
    { name: "a file larger than any applicationHost.config", prepare: (f) => fs.truncateSync(f, MAX_CONFIG_BYTES + 1), inputs: (f) => ({ target: file(f), max: 5 }), expect: { create: /applicationHost\.config: 268435457 bytes, more than the 268435456 bytes \(256 MiB\) any applicationHost\.config needs; refusing to read it/ } },
    { name: "a NUL character in the file", prepare: (f) => fs.writeFileSync(f, fixture.replace("Intranet", "Intra\u0000net")), inputs: (f) => ({ target: file(f), max: 5 }), expect: { create: /applicationHost\.config: not well-formed XML: character U\+0000 is not allowed in XML at line \d+, column \d+; nothing was changed/ } },
    { name: "a form feed in a comment of the file", prepare: (f) => fs.writeFileSync(f, fixture.replace("Sample IIS", "Sample\fIIS")), inputs: (f) => ({ target: file(f), max: 5 }), expect: { create: /character U\+000C is not allowed in XML at line 3, column 11/ } },
    { name: "<Location> holding <asp>", prepare: (f) => fs.writeFileSync(f, fixture.replace("</configuration>", '<Location path="Default Web Site"><system.webServer><asp /></system.webServer></Location>\r\n</configuration>')), inputs: (f) => ({ target: file(f), location: "Default Web Site", max: 5 }), expect: { create: /applicationHost\.config: not a valid IIS configuration file: element <Location> at line \d+, column 1; IIS element names are case-sensitive/ } },
    { name: "a file saved as UTF-16 without a byte-order mark", prepare: (f) => fs.writeFileSync(f, Buffer.from(fixture, "utf16le")), inputs: (f) => ({ target: file(f), max: 5 }), expect: { create: /applicationHost\.config: looks UTF-16 encoded \(little-endian, without a byte-order mark: every other byte is zero\)/ } },
    { name: "a file that is not well-formed", prepare: (f) => fs.writeFileSync(f, fixture.replace("</sites>", "")), inputs: (f) => ({ target: file(f), max: 5 }), expect: { create: /applicationHost\.config: not well-formed XML: end tag <\/system\.applicationHost> does not match <sites> at line \d+, column \d+; nothing was changed/ } },
    { name: "an attribute IIS would refuse at the location", prepare: (f) => fs.writeFileSync(f, fixture.replace("<asp>", '<asp>\r\n            <session timeout="00:10:30" />')), inputs: (f) => ({ target: file(f), max: 5 }), expect: { create: /the server level has session timeout="00:10:30", which IIS would refuse/ } },
];

describe("bad inputs and files through the real provider host: refused, named, nothing changed", function () {
    let host: ProviderHost;
    let providerText: string;
    before(async function () {
        ({ host, providerText } = await startHost());
    });
    after(async function () {
        await host?.stop();
    });

    for (const row of ROWS) {
        it(row.name, async function () {
            const { file: config, dir } = scratchCopy(OWN_FIXTURE);
            try {
                if (isRoot) fs.chownSync(config, 4242, 4343);
                fs.chmodSync(config, 0o640);
                row.prepare?.(config, dir);
                const stats = fs.statSync(config);
                const bytes = fs.readFileSync(config);
                const news = { __provider: providerText, ...row.inputs(config, dir) };
                const checked = await host.check(URN, {}, news);
                if ("check" in row.expect) {
                    const { check: property, message } = row.expect;
                    const failure = checked.failures.find((f) => f.property === property);
                    assert.ok(failure, `no failure for ${property}: ${JSON.stringify(checked.failures).slice(0, 400)}`);
                    assert.match(failure.reason, message);
                    for (const f of checked.failures) {
                        assert.ok(f.reason.length < 700, `a reason of ${f.reason.length} characters`);
                        assert.ok(!f.reason.includes("Pa55-w0rd"), `the password is in a reason: ${f.reason}`);
                    }
                } else {
                    assert.deepStrictEqual(checked.failures, []);
                    const expected = row.expect.create;
                    await assert.rejects(host.create(URN, checked.inputs), (error: ProviderCallError) => {
                        assert.match(error.details, expected);
                        assert.ok(!error.details.includes("Pa55-w0rd"), "the password is in the message");
                        return true;
                    });
                }
                const after = fs.statSync(config);
                assert.ok(fs.readFileSync(config).equals(bytes), "the file's bytes changed");
                assert.deepStrictEqual([after.uid, after.gid, after.mode], [stats.uid, stats.gid, stats.mode], "the file's owner, group or mode changed");
                assert.deepStrictEqual(fs.readdirSync(path.dirname(config)).filter((name) => name !== "fifo.config").sort(), [path.basename(config)], "something was left beside the file");
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }

    it("answers a create whose inputs never went through check (a lone surrogate in location), and the file is unchanged", async function () {
        const { file: config, dir } = scratchCopy(OWN_FIXTURE);
        try {
            const bytes = fs.readFileSync(config);
            const answered = await Promise.race([
                host.create(URN, { __provider: providerText, target: file(config), location: "Intranet\ud800", max: 5, onDelete: "restore" }).then(() => "created", (error: ProviderCallError) => `failed: ${error.details}`),
                new Promise<string>((resolve) => setTimeout(() => resolve("no answer"), 20_000)),
            ]);
            assert.notStrictEqual(answered, "no answer");
            if (answered.startsWith("failed")) assert.ok(fs.readFileSync(config).equals(bytes));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("never prints [object Object] for a failure, and prints the message", async function () {
        const { file: config, dir } = scratchCopy(OWN_FIXTURE);
        try {
            const inputs = (await host.check(URN, {}, { __provider: providerText, target: file(config), max: 5 })).inputs;
            const created = await host.create(URN, inputs);
            fs.writeFileSync(config, "<configuration><broken></configuration>");
            await assert.rejects(host.diff(created.id, URN, created.properties, inputs));
            await assert.rejects(host.read(created.id, URN, created.properties));
            await assert.rejects(host.delete(created.id, URN, created.properties));
            await new Promise((resolve) => setTimeout(resolve, 200));
            const stderr = host.stderrText();
            assert.doesNotMatch(stderr, /\[object Object\]/);
            assert.match(stderr, /Error: .*applicationHost\.config: not well-formed XML/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("warns at check of a location that names no site, naming the closest; check still passes", async function () {
        const { file: config, dir } = scratchCopy(OWN_FIXTURE);
        try {
            const checked = await host.check(URN, {}, { __provider: providerText, target: file(config), location: "Default Web Site?a=1", max: 5 });
            assert.deepStrictEqual(checked.failures, []);
            await new Promise((resolve) => setTimeout(resolve, 200));
            assert.ok(host.stderrText().includes(`warning: [runtime] ${config}: no <site> is named "Default Web Site?a=1" (location "Default Web Site?a=1"); IIS accepts settings for a site created later, but until then they apply to nothing. The closest site is "Default Web Site".`),
                host.stderrText().slice(-2000));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("deletes settings whose file is gone, with a warning that says so", async function () {
        const { file: config, dir } = scratchCopy(OWN_FIXTURE);
        try {
            const inputs = (await host.check(URN, {}, { __provider: providerText, target: file(config), location: "Intranet", max: 5 })).inputs;
            const created = await host.create(URN, inputs);
            fs.rmSync(dir, { recursive: true, force: true });
            await host.delete(created.id, URN, created.properties);
            await new Promise((resolve) => setTimeout(resolve, 200));
            assert.ok(host.stderrText().includes(`warning: [runtime] ${config} no longer exists: the settings this resource managed were in it and went with it`), host.stderrText().slice(-2000));
            assert.ok(!fs.existsSync(dir), "delete created something");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
