/**
 * The provider's operations called in-process (the host tests run the same code through Pulumi's
 * host; these are fast and let mutation testing see the code): the exact bytes of the elements a
 * create writes, exactly what delete and update give back for each onDelete, diff's verdicts, read
 * and import, and that no failure quotes a credential.
 */
import * as assert from "assert";
import * as fs from "fs";
import { createAspSessionProvider } from "../../provider";
import { UNKNOWN } from "../../provider/settings/inputs";
import { closePooledRunners } from "../../provider/carriers/pool";
import { closedPort } from "../support/network";
import { OWN_FIXTURE, scratchCopy } from "../support/hostFixture";

type Properties = Record<string, unknown>;
/** Made at each use, so nothing from the provider runs while the tests are declared (a mutation run switches mutants between tests). */
const provider = () => createAspSessionProvider();
const fixture = fs.readFileSync(OWN_FIXTURE, "utf8");

/** A scratch applicationHost.config holding `text`. */
function configWith(text: string): string {
    const { file } = scratchCopy(OWN_FIXTURE);
    fs.writeFileSync(file, text);
    return file;
}

async function checked(news: Properties): Promise<Properties> {
    const result = await provider().check!({}, news);
    assert.deepStrictEqual(result.failures ?? [], []);
    return result.inputs as Properties;
}

async function create(file: string, settings: Properties): Promise<{ id: string; outs: Properties; inputs: Properties }> {
    const inputs = await checked({ target: { kind: "file", path: file }, ...settings });
    const { id, outs } = await provider().create!(inputs);
    return { id, outs, inputs };
}

/** `text` with `insertion` put right after the first `after`. */
function inserted(text: string, after: string, insertion: string): string {
    const at = text.indexOf(after);
    assert.ok(at >= 0, after);
    return text.slice(0, at + after.length) + insertion + text.slice(at + after.length);
}

/** The fixture with server-level session attributes written by hand, in unusual spellings. */
const handWritten = fixture.replace("<asp>", "<asp>\r\n            <session  timeout='00:30:00' max=\"0300\" />");

describe("provider operations in-process: the bytes of what create writes", function () {
    it("a new <location> after the last one, indented as the file is, CRLF", async function () {
        const file = configWith(fixture);
        await create(file, { location: "Default Web Site/shop", max: 5, timeout: 10, allowSessionState: false, keepSessionIdSecure: true });
        const expected = inserted(fixture, "    </location>",
            '\r\n    <location path="Default Web Site/shop">\r\n        <system.webServer>\r\n            <asp>\r\n' +
            '                <session allowSessionState="false" keepSessionIdSecure="true" max="5" timeout="00:10:00" />\r\n' +
            "            </asp>\r\n        </system.webServer>\r\n    </location>");
        assert.strictEqual(fs.readFileSync(file, "utf8"), expected);
    });

    it("<asp> after the last child of a location's <system.webServer>; <session> before <cache> at the server level", async function () {
        const file = configWith(fixture);
        await create(file, { location: "Intranet", max: 5 });
        await create(file, { location: "", timeout: "00:30:00" });
        let expected = inserted(fixture, "            </security>", "\r\n            <asp>\r\n                <session max=\"5\" />\r\n            </asp>");
        expected = inserted(expected, "        <asp>", '\r\n            <session timeout="00:30:00" />');
        assert.strictEqual(fs.readFileSync(file, "utf8"), expected);
    });

    it("tabs and LF, and a self-closing <asp /> opened up", async function () {
        const tabbed = fixture.replace(/\r\n/g, "\n").replace(/ {4}/g, "\t").replace(/<asp>\n\t\t\t<cache [^\n]*\n\t\t<\/asp>/, "<asp />");
        const file = configWith(tabbed);
        await create(file, { location: "", max: 1 });
        assert.strictEqual(fs.readFileSync(file, "utf8"), tabbed.replace("<asp />", "<asp>\n\t\t\t<session max=\"1\" />\n\t\t</asp>"));
    });

    it("escapes a location path with markup characters in the new <location>", async function () {
        const file = configWith(fixture);
        await create(file, { location: `Tom & "Jerry's" <site>`, max: 5 });
        assert.match(fs.readFileSync(file, "utf8"), /<location path="Tom &amp; &quot;Jerry's&quot; &lt;site&gt;">/);
    });
});

describe("provider operations in-process: exactly what delete and update give back", function () {
    it("onDelete restore: the text as it was written (quotes, spelling, position), byte for byte", async function () {
        const file = configWith(handWritten);
        const { id, outs } = await create(file, { location: "", max: 5, timeout: 10 });
        assert.deepStrictEqual(outs.previous, { max: "0300", timeout: "00:30:00" });
        assert.ok(fs.readFileSync(file, "utf8").includes("<session  timeout='00:10:00' max=\"5\" />"), "values are changed in place, keeping quotes");
        await provider().delete!(id, outs);
        assert.strictEqual(fs.readFileSync(file, "utf8"), handWritten);
    });

    it("onDelete inherit: the managed attributes removed with the space before them, others kept", async function () {
        const file = configWith(handWritten.replace("max=\"0300\"", "max=\"0300\" keepSessionIdSecure=\"false\""));
        const { id, outs } = await create(file, { location: "", max: 5, timeout: 10, onDelete: "inherit" });
        await provider().delete!(id, outs);
        assert.strictEqual(fs.readFileSync(file, "utf8"), handWritten.replace("<session  timeout='00:30:00' max=\"0300\" />", "<session keepSessionIdSecure=\"false\" />"));
    });

    it("both variants remove the elements create made, giving back the original bytes", async function () {
        for (const onDelete of ["restore", "inherit"]) {
            const file = configWith(fixture);
            const { id, outs } = await create(file, { location: "Default Web Site/shop", max: 5, onDelete });
            assert.deepStrictEqual(outs.created, { created: "location", parentCloseAs: "" });
            await provider().delete!(id, outs);
            assert.strictEqual(fs.readFileSync(file, "utf8"), fixture, onDelete);
        }
        const selfClosing = fixture.replace(/<asp>\r\n\s*<cache [^\n]*\n\s*<\/asp>/, "<asp/>");
        const file = configWith(selfClosing);
        const { id, outs } = await create(file, { location: "", max: 5 });
        assert.deepStrictEqual(outs.created, { created: "session", parentCloseAs: "/>" });
        await provider().delete!(id, outs);
        assert.strictEqual(fs.readFileSync(file, "utf8"), selfClosing);
    });

    it("an update that stops managing an attribute restores it or removes it, as onDelete says", async function () {
        for (const onDelete of ["restore", "inherit"] as const) {
            const file = configWith(handWritten);
            const { id, outs } = await create(file, { location: "", max: 5, timeout: 10, onDelete });
            const news = await checked({ target: { kind: "file", path: file }, location: "", max: 6, onDelete });
            const updated = (await provider().update!(id, outs as never, news as never)).outs as Properties;
            assert.deepStrictEqual(updated.previous, { max: "0300" });
            assert.strictEqual(updated.timeout, undefined);
            const session = /<session[^>]*>/.exec(fs.readFileSync(file, "utf8"))?.[0];
            assert.strictEqual(session, onDelete === "restore" ? "<session  timeout='00:30:00' max=\"6\" />" : "<session max=\"6\" />", onDelete);
            await provider().delete!(id, updated);
            assert.strictEqual(/<session[^>]*>/.exec(fs.readFileSync(file, "utf8"))?.[0], onDelete === "restore" ? "<session  timeout='00:30:00' max=\"0300\" />" : "<session />");
        }
    });

    it("an update that adds an attribute records its pre-image; one that drops all prunes what create made", async function () {
        const file = configWith(fixture);
        const { id, outs } = await create(file, { location: "Intranet", max: 5 });
        const more = await checked({ target: { kind: "file", path: file }, location: "Intranet", max: 5, timeout: 15 });
        const updated = (await provider().update!(id, outs as never, more as never)).outs as Properties;
        assert.deepStrictEqual(updated.previous, { max: null, timeout: null });
        assert.deepStrictEqual(updated.created, { created: "asp", parentCloseAs: "" });
        const none = await checked({ target: { kind: "file", path: file }, location: "Intranet" });
        const emptied = (await provider().update!(id, updated as never, none as never)).outs as Properties;
        assert.deepStrictEqual(emptied.created, { created: "", parentCloseAs: "" });
        assert.strictEqual(fs.readFileSync(file, "utf8"), fixture);
    });
});

describe("provider operations in-process: diff, read and import", function () {
    it("diff: no change, drift, input changes, replacements, unknowns", async function () {
        const file = configWith(fixture);
        const { id, outs, inputs } = await create(file, { location: "Intranet", max: 5, timeout: 10 });
        const diff = (news: Properties) => provider().diff!(id, outs, news) as Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean; detailedDiff: Record<string, unknown> }>;
        assert.deepStrictEqual(await diff(inputs), { changes: false, replaces: [], deleteBeforeReplace: false, detailedDiff: {} });
        assert.deepStrictEqual((await diff({ ...inputs, max: 6 })).detailedDiff, { max: { kind: "update", inputDiff: true } });
        assert.deepStrictEqual((await diff({ ...inputs, max: undefined })).detailedDiff, { max: { kind: "delete", inputDiff: true } });
        assert.deepStrictEqual((await diff({ ...inputs, allowSessionState: false })).detailedDiff, { allowSessionState: { kind: "add", inputDiff: false } });
        assert.deepStrictEqual((await diff({ ...inputs, max: UNKNOWN })).detailedDiff, { max: { kind: "update", inputDiff: true } });
        assert.deepStrictEqual((await diff({ ...inputs, onDelete: "inherit" })).detailedDiff, { onDelete: { kind: "update", inputDiff: true } });
        assert.deepStrictEqual((await diff({ ...inputs, location: "INTRANET" })).detailedDiff, { location: { kind: "update", inputDiff: true } });
        const moved = await diff({ ...inputs, location: "Default Web Site" });
        assert.deepStrictEqual([moved.changes, moved.replaces, moved.deleteBeforeReplace], [true, ["location"], true]);
        assert.deepStrictEqual((await diff({ ...inputs, target: { kind: "file", path: file + ".other" } })).replaces, ["target"]);
        assert.deepStrictEqual((await diff({ ...inputs, location: UNKNOWN })).replaces, ["location"]);
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('timeout="00:10:00"', 'timeout="00:45:00"'));
        assert.deepStrictEqual((await diff(inputs)).detailedDiff, { timeout: { kind: "update", inputDiff: false } });
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(' timeout="00:45:00"', ""));
        assert.deepStrictEqual((await diff(inputs)).detailedDiff, { timeout: { kind: "update", inputDiff: false } });
    });

    it("read returns what the server says, as state and as inputs; import splits the id", async function () {
        const file = configWith(fixture);
        const { id, outs } = await create(file, { location: "Intranet", max: 5, timeout: 10 });
        assert.strictEqual(id, `file:${file}|Intranet`);
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('max="5"', 'max="7"').replace(' timeout="00:10:00"', ""));
        const read = await provider().read!(id, outs as never) as { id: string; props: Properties; inputs: Properties };
        assert.strictEqual(read.props.max, 7);
        assert.strictEqual(read.props.timeout, undefined);
        assert.deepStrictEqual(read.inputs, { target: { kind: "file", path: file }, location: "Intranet", onDelete: "restore", max: 7 });
        assert.deepStrictEqual(read.props.previous, { max: null, timeout: null });
        const imported = await provider().read!(`file:${file}|Intra|net`, {} as never) as { props: Properties };
        assert.deepStrictEqual(imported.props.target, { kind: "file", path: file });
        assert.strictEqual(imported.props.location, "Intra|net");
        await assert.rejects(provider().read!("Intranet", {} as never), /the stored state of AspSessionSettings "Intranet" cannot be used .*target is missing/);
    });

    it("check passes unknowns through, drops an invalid target, and names unknown inputs", async function () {
        const result = await provider().check!({}, { target: { kind: "nfs" }, location: UNKNOWN, max: UNKNOWN, colour: "blue" });
        assert.deepStrictEqual(result.failures?.map((f) => f.property), ["colour", "target.kind"]);
        assert.deepStrictEqual(result.inputs, { location: UNKNOWN, max: UNKNOWN, onDelete: "restore" });
        assert.match(result.failures![0].reason, /^colour is not an input of AspSessionSettings \(inputs: target, location, onDelete, onApplyFailure, allowSessionState, keepSessionIdSecure, max, timeout\)$/);
    });
});

describe("provider operations in-process: credentials never in a failure", function () {
    const password = "Corr3ct-Horse-Battery";
    // The WinRM runner a create opens stays pooled in this process: close it for the tests that follow.
    after(async function () {
        await closePooledRunners();
    });
    const clientKey = "-----BEGIN PRIVATE KEY-----\nSECRETKEYMATERIAL\n-----END PRIVATE KEY-----";

    it("not in check failures, whatever else is wrong", async function () {
        for (const target of [
            { kind: "winrm", host: "h", username: "u", password, auth: "basic" },
            { kind: "winrm", host: "h:1", username: "u", password: 7, clientKey },
            { kind: "winrm", host: "h", username: "u", password, auth: "certificate", https: true, clientKey, clientCertificate: password },
            { kind: "winrm", host: password, username: "u", password },
        ]) {
            const result = await provider().check!({}, { target, max: "x" });
            assert.ok((result.failures ?? []).length > 0);
            for (const failure of result.failures ?? []) {
                assert.ok(!failure.reason.includes(password) || failure.property === "target.host" || failure.property === "target.clientCertificate", failure.reason);
                assert.ok(!failure.reason.includes("SECRETKEYMATERIAL"), failure.reason);
            }
        }
    });

    it("not in the error of a create that cannot connect", async function () {
        const port = await closedPort();
        const inputs = await checked({ target: { kind: "winrm", host: "127.0.0.1", port, username: "u", password, timeoutSeconds: 5 }, max: 5 });
        await assert.rejects(provider().create!(inputs), (error: Error) => {
            assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
            assert.ok(!error.message.includes(password) && !String(error.stack).includes(password), error.message);
            return true;
        });
    });
});
