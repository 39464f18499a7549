/**
 * Mode "xml" over SSH below the provider: RemoteConfigFile's readFile and writeFile scripts run by
 * real PowerShell 7 behind a real sshd (test/support/ssh), against real corpus files and the
 * injection corpus, with and without a console (a pseudo-terminal) on the server side.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RemoteConfigFile } from "../../provider/stores/remoteConfigFile";
import { SCRIPT_TEMPLATES } from "../../provider/powershell/scripts";
import { XmlFileBackend } from "../../provider/backends/xmlFile";
import { SshCommandRunner } from "../../provider/carriers/ssh";
import { BACKUP_SUFFIX, LocalConfigFile } from "../../provider/stores/local/localConfigFile";
import { OWN_FIXTURE } from "../support/hostFixture";
import { sharedFile, underCi } from "../support/paths";
import { requirePwsh } from "../support/pwsh";
import { SshServer, sshdUnavailable, startSshServer } from "../support/ssh/sshd";
import { HOSTILE_TEXT } from "../powershell/requests";

/** A few corpus files of different shapes (locations, comments, encodings); all 36 are covered by the local editor's tests. */
const CORPUS = ["apphost_02.config", "apphost_20.config", "apphost_46.config"];

/** A configuration small enough that its writeFile script fits the command line (CRLF, as IIS writes). */
const SMALL_CONFIG = '<?xml version="1.0" encoding="UTF-8"?>\r\n<configuration>\r\n    <system.applicationHost />\r\n    <system.webServer>\r\n    </system.webServer>\r\n</configuration>\r\n';

describe('mode "xml" over SSH: the file scripts under real PowerShell behind a real sshd', function () {
    this.timeout(600_000);
    let server: SshServer;
    const runners: SshCommandRunner[] = [];
    let scratch: string;

    before(async function () {
        requirePwsh(this);
        const problem = sshdUnavailable();
        if (problem !== undefined) {
            if (underCi) throw new Error(`CI=true but ${problem}`);
            this.skip();
        }
        server = await startSshServer();
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ssh-xml-"));
    });
    after(async function () {
        for (const runner of runners) await runner.close();
        await server?.stop();
        if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
    });

    function runner(requestPty = false): SshCommandRunner {
        const created = new SshCommandRunner({ host: "127.0.0.1", port: server.port, username: server.username, privateKey: server.privateKey, hostKey: server.hostKey, requestPty });
        runners.push(created);
        return created;
    }

    function copy(source: string, folder: string): string {
        const dir = path.join(scratch, folder);
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, "applicationHost.config");
        fs.copyFileSync(source, file);
        return file;
    }

    it("edits real corpus files byte for byte as the local editor does, and restoring gives the original bytes back", async function () {
        const files = CORPUS.map((name) => sharedFile("corpus", "applicationHost", name)).filter((file): file is string => file !== undefined);
        if (files.length === 0) files.push(OWN_FIXTURE);
        const ssh = runner();
        await Promise.all(
            files.map(async (source, index) => {
                const remote = copy(source, `corpus-remote-${index}`);
                const local = copy(source, `corpus-local-${index}`);
                const original = fs.readFileSync(source);
                const change = { set: { timeout: "00:17:00", max: 1234 }, restore: {}, remove: [] };
                const overSsh = await new XmlFileBackend(new RemoteConfigFile(ssh, remote)).write("Default Web Site/shop", change);
                await new XmlFileBackend(new LocalConfigFile(local)).write("Default Web Site/shop", change);
                assert.ok(fs.readFileSync(remote).equals(fs.readFileSync(local)), `${path.basename(source)}: SSH and local edits differ`);
                assert.ok(fs.readFileSync(remote + BACKUP_SUFFIX).equals(original), "the replaced content is kept as the backup");
                const back = { set: {}, restore: {}, remove: ["timeout", "max"] as ("timeout" | "max")[], prune: overSsh.created };
                await new XmlFileBackend(new RemoteConfigFile(ssh, remote)).write("Default Web Site/shop", back);
                assert.ok(fs.readFileSync(remote).equals(original), `${path.basename(source)}: restoring did not give the original bytes back`);
                assert.deepStrictEqual(fs.readdirSync(path.dirname(remote)).sort(), ["applicationHost.config", "applicationHost.config" + BACKUP_SUFFIX], "no temporary file left");
            }),
        );
    });

    it("reads files in folders named with the injection corpus, and writes in the worst of them: the names stay data", async function () {
        const ssh = runner();
        const names = HOSTILE_TEXT.map((text) => text.replace(/[/\u0000]/g, "_")).filter((name, index, all) => name !== "" && all.indexOf(name) === index);
        const writtenIn = new Set(["$(Remove-Item C:\\ -Recurse -Force)", "'; exit; '", "__REQUEST__"]);
        await Promise.all(
            names.map(async (name) => {
                const file = copy(OWN_FIXTURE, path.join("hostile", name));
                const backend = new XmlFileBackend(new RemoteConfigFile(ssh, file));
                if (writtenIn.has(name)) {
                    await backend.write("", { set: { max: 77 }, restore: {}, remove: [] });
                    assert.strictEqual((await backend.read("")).explicit.max, 77, `folder ${JSON.stringify(name)}`);
                } else {
                    assert.deepStrictEqual(await backend.read(""), await new XmlFileBackend(new LocalConfigFile(file)).read(""), `folder ${JSON.stringify(name)}`);
                }
            }),
        );
    });

    // Under a console (a pseudo-terminal) stdin never ends, so only scripts that fit the command
    // line can run there: a small file's writeFile does, a real file's does not and is refused.
    it("runs the same with and without a console on the server side (pseudo-terminal or none)", async function () {
        for (const script of Object.values(SCRIPT_TEMPLATES)) {
            assert.ok(!/\[Console\]::(Output|Input)Encoding\s*=/.test(script), "a script sets the console's encoding, which throws where there is no console");
        }
        const results: string[] = [];
        for (const requestPty of [false, true]) {
            const file = path.join(scratch, `console-${requestPty}`, "applicationHost.config");
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, SMALL_CONFIG);
            const backend = new XmlFileBackend(new RemoteConfigFile(runner(requestPty), file));
            const written = await backend.write("Genomgång 日本語", { set: { timeout: "00:12:00" }, restore: {}, remove: [] });
            assert.strictEqual(written.after.explicit.timeout, "00:12:00");
            assert.deepStrictEqual(await backend.read("Genomgång 日本語"), written.after, "read back under the same console setting");
            results.push(fs.readFileSync(file, "utf8"));
        }
        assert.strictEqual(results[0], results[1]);
        assert.match(results[0], /<location path="Genomgång 日本語">/);
    });

    it("under a pseudo-terminal, refuses at once a command that needs stdin (a real file's write), and writes nothing", async function () {
        const file = copy(OWN_FIXTURE, "console-refused");
        const before = fs.readFileSync(file);
        const backend = new XmlFileBackend(new RemoteConfigFile(runner(true), file));
        const started = Date.now();
        await assert.rejects(backend.write("Default Web Site", { set: { max: 5 }, restore: {}, remove: [] }), (error: Error) => {
            assert.match(error.message, /^127\.0\.0\.1:\d+: SSH command refused "write .*applicationHost\.config": it sends \d+ bytes on stdin, which cannot be ended under a pseudo-terminal/);
            return true;
        });
        assert.ok(Date.now() - started < 30_000, "refused before any deadline");
        assert.ok(fs.readFileSync(file).equals(before), "the file is untouched");
        assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), ["applicationHost.config"], "no backup or temporary file");
    });
});
