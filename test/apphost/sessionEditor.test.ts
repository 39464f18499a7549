/**
 * editSession's output, exactly, on small documents: where a new attribute goes (schema order,
 * after the nearest earlier one that stays), how a value is written into existing quotes, what a
 * removal takes with it, which elements are created and where (IIS's order of <asp>'s children,
 * after the last <location>), how an empty parent is opened and closed again, what is pruned and
 * what is not, and the refusals. Each result is also reverted to the original bytes.
 */
import * as assert from "assert";
import { ConfigFileError, parseApplicationHost } from "../../provider/apphost/document";
import { editSession, NOTHING_CREATED, SessionEdit } from "../../provider/apphost/sessionEditor";

const FILE = "/srv/applicationHost.config";
const doc = (text: string) => parseApplicationHost(Buffer.from(text, "utf8"), FILE);
const edit = (text: string, path: string, change: SessionEdit) => editSession(doc(text), path, FILE, change);
const set = (values: Record<string, string>): SessionEdit => ({ set: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }])), remove: [] });

function at(text: string, inner: string): string {
    return `<configuration><system.webServer><asp>${inner}</asp></system.webServer>${text}</configuration>`;
}

describe("editSession: attributes of an existing <session>", function () {
    it("inserts after the nearest earlier attribute in schema order that stays, else after the name; several at one place in schema order", function () {
        const cases: [string, Record<string, string>, string[], string][] = [
            ['<session timeout="00:20:00" />', { max: "5" }, [], '<session max="5" timeout="00:20:00" />'],
            ['<session allowSessionState="true" timeout="00:20:00"/>', { max: "5" }, [], '<session allowSessionState="true" max="5" timeout="00:20:00"/>'],
            ['<session timeout="00:20:00" allowSessionState="true"/>', { max: "5" }, [], '<session timeout="00:20:00" allowSessionState="true" max="5"/>'],
            ['<session timeout="00:20:00" />', { max: "5", keepSessionIdSecure: "true" }, [], '<session keepSessionIdSecure="true" max="5" timeout="00:20:00" />'],
            ['<session allowSessionState="true" />', { max: "5" }, ["allowSessionState"], '<session max="5" />'],
            ['<session allowSessionState="true" keepSessionIdSecure="false" />', { timeout: "00:10:00" }, ["keepSessionIdSecure"], '<session allowSessionState="true" timeout="00:10:00" />'],
            ["<session></session>", { allowSessionState: "false" }, [], '<session allowSessionState="false"></session>'],
        ];
        for (const [session, values, remove, expected] of cases) {
            const result = edit(at("", session), "", { ...set(values), remove: remove as never });
            assert.strictEqual(result.text, at("", expected), `${session} + ${JSON.stringify(values)} - ${remove}`);
            assert.deepStrictEqual([result.changed, result.pruned, result.record], [true, false, NOTHING_CREATED]);
        }
    });

    it("writes a changed value into the quotes it had, escaped for them; an unchanged one is no splice", function () {
        assert.strictEqual(edit(at("", "<session max='1' />"), "", set({ max: "it's" })).text, at("", "<session max='it&apos;s' />"));
        assert.strictEqual(edit(at("", '<session max="1" />'), "", set({ max: 'say "x"' })).text, at("", '<session max="say &quot;x&quot;" />'));
        const same = edit(at("", '<session  max="0300" />'), "", { set: { max: { raw: "0300" } }, remove: [] });
        assert.deepStrictEqual([same.changed, same.splices, same.text], [false, [], at("", '<session  max="0300" />')]);
        assert.strictEqual(edit(at("", '<session max="1" />'), "", { set: { max: { raw: "0300" } }, remove: [] }).text, at("", '<session max="0300" />'));
    });

    it("a removal takes the white space before the attribute; removing what is absent changes nothing", function () {
        assert.strictEqual(edit(at("", '<session max="1"\r\n   timeout="00:20:00" />'), "", { set: {}, remove: ["timeout"] }).text, at("", '<session max="1" />'));
        assert.strictEqual(edit(at("", '<session max="1"\t\ttimeout="00:20:00" />'), "", { set: {}, remove: ["timeout"] }).text, at("", '<session max="1" />'));
        assert.strictEqual(edit(at("", '<session max="1" \n timeout="00:20:00" />'), "", { set: {}, remove: ["timeout"] }).text, at("", '<session max="1" />'));
        const none = edit(at("", '<session max="1" />'), "", { set: {}, remove: ["timeout"] });
        assert.deepStrictEqual([none.changed, none.text], [false, at("", '<session max="1" />')]);
    });

    it("refuses raw text that cannot go inside the quotes, and an attribute the schema does not have", function () {
        assert.throws(() => edit(at("", '<session max="1" />'), "", { set: { max: { raw: 'a"b' } }, remove: [] }),
            (error: Error) => error instanceof ConfigFileError && error.message === 'cannot restore attribute text "a\\"b" inside " quotes');
        assert.throws(() => edit(at("", "<session max='1' />"), "", { set: { max: { raw: "a'b" } }, remove: [] }), /^ConfigFileError: cannot restore attribute text "a'b" inside ' quotes$/);
        assert.throws(() => edit(at("", "<session max='1' />"), "", { set: { max: { raw: "a<b" } }, remove: [] }), /^ConfigFileError: cannot restore attribute text "a<b" inside ' quotes$/);
        assert.throws(() => edit(at("", ""), "", { set: { max: { raw: "a<b" } }, remove: [] }), /cannot restore attribute text "a<b" inside " quotes/);
        assert.throws(() => edit(at("", ""), "", { set: { colour: { value: "x" } } as never, remove: [] }), /^ConfigFileError: unknown session attribute "colour"$/);
        assert.throws(() => edit(at("", ""), "", { set: {}, remove: ["colour" as never] }), /^ConfigFileError: unknown session attribute "colour"$/);
    });
});

describe("editSession: elements it creates", function () {
    it("nothing to set where there is no <session>: no change at all", function () {
        const text = at("", "");
        assert.deepStrictEqual(edit(text, "", { set: {}, remove: ["max"] }), { text, splices: [], record: NOTHING_CREATED, changed: false, pruned: false });
    });

    it("<session> goes first among <asp>'s children in IIS's order: before comPlus, cache and limits, after others", function () {
        const cases: [string, string][] = [
            ["<limits />", '\n    <session max="5" /><limits />'],
            ["<comPlus /><cache />", '\n    <session max="5" /><comPlus /><cache />'],
            ["<other /><cache />", '<other />\n    <session max="5" /><cache />'],
            ["<other />", '<other />\n    <session max="5" />'],
            ["<a /><b /><limits /><c />", '<a /><b />\n    <session max="5" /><limits /><c />'],
        ];
        for (const [inner, expected] of cases) {
            const result = edit(at("", inner), "", set({ max: "5" }));
            assert.strictEqual(result.text, at("", expected), inner);
            assert.deepStrictEqual([result.record, result.pruned, result.changed], [{ created: "session", parentCloseAs: "" }, false, true]);
        }
    });

    it("other new elements go after the last child, a new <location> after the last <location>, whatever their names", function () {
        const withLimits = edit("<configuration><system.webServer><limits /><x /></system.webServer></configuration>", "", set({ max: "5" }));
        assert.strictEqual(withLimits.text, '<configuration><system.webServer><limits /><x />\n    <asp>\n        <session max="5" />\n    </asp></system.webServer></configuration>');
        assert.strictEqual(withLimits.pruned, false);
        const serverAfterLocations = edit('<configuration><location path="A" /><other /></configuration>', "", set({ max: "5" }));
        assert.strictEqual(serverAfterLocations.text, '<configuration><location path="A" /><other />\n    <system.webServer>\n        <asp>\n            <session max="5" />\n        </asp>\n    </system.webServer></configuration>');
    });

    it("opens an empty parent and records how it was closed; a parent with content is not opened", function () {
        for (const [asp, closeAs] of [["<asp />", " />"], ["<asp/>", "/>"], ["<asp></asp>", "></asp>"], ["<asp>\r\n  </asp>", ">\r\n  </asp>"], ["<asp>\t</asp>", ">\t</asp>"], ["<asp> \n</asp>", "> \n</asp>"]]) {
            const text = `<configuration><system.webServer>${asp}</system.webServer></configuration>`;
            const result = edit(text, "", set({ max: "5" }));
            const nl = asp.includes("\r\n") ? "\r\n" : "\n";
            assert.strictEqual(result.text, `<configuration><system.webServer><asp>${nl}    <session max="5" />${nl}</asp></system.webServer></configuration>`, asp);
            assert.deepStrictEqual(result.record, { created: "session", parentCloseAs: closeAs });
        }
        const withSpaceText = "<configuration><system.webServer><asp> x </asp></system.webServer></configuration>";
        assert.deepStrictEqual(edit(withSpaceText, "", set({ max: "5" })).record, { created: "session", parentCloseAs: "" });
        const withText = "<configuration><system.webServer><asp><!-- c --></asp></system.webServer></configuration>";
        assert.strictEqual(edit(withText, "", set({ max: "5" })).text, '<configuration><system.webServer><asp>\n    <session max="5" /><!-- c --></asp></system.webServer></configuration>');
    });

    it("a new <location> after the last one, its path escaped, indented as the file is, with the file's line ends", function () {
        const text = "<configuration>\r\n\t<location path=\"A\" />\r\n\t<other />\r\n</configuration>";
        const result = edit(text, "B&<\"C'", set({ max: "5" }));
        assert.strictEqual(result.text, "<configuration>\r\n\t<location path=\"A\" />\r\n\t<location path=\"B&amp;&lt;&quot;C'\">\r\n\t\t<system.webServer>\r\n\t\t\t<asp>\r\n\t\t\t\t<session max=\"5\" />\r\n\t\t\t</asp>\r\n\t\t</system.webServer>\r\n\t</location>\r\n\t<other />\r\n</configuration>");
        assert.deepStrictEqual(result.record, { created: "location", parentCloseAs: "" });
        const first = edit("<configuration>\n  <other />\n</configuration>", "S", set({ max: "5" }));
        assert.strictEqual(first.text, "<configuration>\n  <other />\n  <location path=\"S\">\n    <system.webServer>\n      <asp>\n        <session max=\"5\" />\n      </asp>\n    </system.webServer>\n  </location>\n</configuration>");
    });

    it("creates only what is missing: <system.webServer> in a location, <asp> at the server level; attributes in schema order", function () {
        const inLocation = edit('<configuration><location path="S"></location></configuration>', "S", set({ timeout: "00:10:00", allowSessionState: "true" }));
        assert.strictEqual(inLocation.text, '<configuration><location path="S">\n    <system.webServer>\n        <asp>\n            <session allowSessionState="true" timeout="00:10:00" />\n        </asp>\n    </system.webServer>\n</location></configuration>');
        assert.deepStrictEqual(inLocation.record, { created: "system.webServer", parentCloseAs: "></location>" });
        const server = edit("<configuration><system.webServer><x /></system.webServer></configuration>", "", set({ max: "5" }));
        assert.strictEqual(server.text, '<configuration><system.webServer><x />\n    <asp>\n        <session max="5" />\n    </asp></system.webServer></configuration>');
        assert.deepStrictEqual(server.record, { created: "asp", parentCloseAs: "" });
    });
});

describe("editSession: pruning what it created", function () {
    it("removes the outermost created element left empty, closing the parent as it was; apply then prune restores the bytes", function () {
        const texts = [
            "<configuration><system.webServer><asp /></system.webServer></configuration>",
            "<configuration>\r\n  <system.webServer>\r\n    <asp>\r\n      <limits />\r\n    </asp>\r\n  </system.webServer>\r\n</configuration>",
            '<configuration><location path="S"></location><location path="T" /></configuration>',
            "<configuration />",
            "<configuration>\n</configuration>",
        ];
        for (const text of texts) {
            for (const path of ["", "S", "T/app"]) {
                const applied = edit(text, path, set({ max: "5", timeout: "00:10:00" }));
                const pruned = edit(applied.text, path, { set: {}, remove: ["max", "timeout"], prune: applied.record });
                assert.strictEqual(pruned.text, text, `${JSON.stringify(text)} at "${path}"`);
                assert.deepStrictEqual([pruned.pruned, pruned.changed, pruned.record], [true, true, NOTHING_CREATED]);
            }
        }
    });

    it("does not prune where something else remains: another attribute, a value set, content, or nothing recorded", function () {
        const text = at("", '<session max="5" timeout="00:10:00" />');
        const record = { created: "session" as const, parentCloseAs: "" };
        assert.strictEqual(edit(text, "", { set: {}, remove: ["max"], prune: record }).text, at("", '<session timeout="00:10:00" />'));
        assert.strictEqual(edit(text, "", { set: { max: { value: "6" } }, remove: ["max", "timeout"], prune: record }).text, at("", '<session max="6" />'));
        const replaced = edit(at("", '<session max="5" />'), "", { set: { timeout: { value: "00:10:00" } }, remove: ["max"], prune: record });
        assert.deepStrictEqual([replaced.text, replaced.pruned], [at("", '<session timeout="00:10:00" />'), false]);
        const withContent = at("", '<session max="5"> <!-- c --> </session>');
        assert.strictEqual(edit(withContent, "", { set: {}, remove: ["max"], prune: record }).text, at("", "<session> <!-- c --> </session>"));
        const nothing = edit(text, "", { set: {}, remove: ["max", "timeout"], prune: NOTHING_CREATED });
        assert.deepStrictEqual([nothing.text, nothing.pruned], [at("", "<session />"), false]);
        const noRecord = edit(text, "", { set: {}, remove: ["max", "timeout"] });
        assert.deepStrictEqual([noRecord.text, noRecord.pruned], [at("", "<session />"), false]);
    });

    it("closes an opened parent again only if the session is still all it holds", function () {
        const record = { created: "session" as const, parentCloseAs: " />" };
        const base = (inner: string) => `<configuration><system.webServer><asp>${inner}</asp></system.webServer></configuration>`;
        assert.strictEqual(edit(base('\n    <session max="5" />\n'), "", { set: {}, remove: ["max"], prune: record }).text, "<configuration><system.webServer><asp /></system.webServer></configuration>");
        assert.strictEqual(edit(base('\n    <session max="5" /><limits />\n'), "", { set: {}, remove: ["max"], prune: record }).text, base("<limits />\n"));
        assert.strictEqual(edit(base('\n    <session max="5" /><!-- c -->\n'), "", { set: {}, remove: ["max"], prune: record }).text, base("<!-- c -->\n"));
    });

    it("stops at a parent that holds something else, or has attributes of its own", function () {
        const created = { created: "location" as const, parentCloseAs: "" };
        const shared = '<configuration><location path="S"><system.webServer><asp><session max="5" /></asp><other /></system.webServer></location></configuration>';
        assert.strictEqual(edit(shared, "S", { set: {}, remove: ["max"], prune: created }).text, '<configuration><location path="S"><system.webServer><other /></system.webServer></location></configuration>');
        const locked = '<configuration>\n<location path="S" overrideMode="Allow"><system.webServer><asp><session max="5" /></asp></system.webServer></location></configuration>';
        assert.strictEqual(edit(locked, "S", { set: {}, remove: ["max"], prune: created }).text, '<configuration>\n<location path="S" overrideMode="Allow"></location></configuration>');
        const own = '<configuration>\n<location path="S"><system.webServer><asp><session max="5" /></asp></system.webServer></location></configuration>';
        assert.strictEqual(edit(own, "S", { set: {}, remove: ["max"], prune: created }).text, "<configuration></configuration>");
    });
});
