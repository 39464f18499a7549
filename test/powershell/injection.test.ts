import { strict as assert } from "assert";
import { decodeRequestText } from "../support/requestText";
import type { OperationRequest } from "../../provider/powershell/protocol";
import { COMMAND_LINE_OPTIONS, LOADER_PREFIX, LOADER_SUFFIX, prepareInvocation } from "../../provider/powershell/delivery";
import { decompressScript } from "../support/loader";
import { encodeRequest, renderScript, substituteRequest } from "../../provider/powershell/render";
import { REQUEST_PLACEHOLDER, SCRIPT_TEMPLATES } from "../../provider/powershell/scripts";
import { buildPowerShellStdinCommand, POWERSHELL_EXE } from "../../provider/powershell/commandLine";
import { loadPowerShellParser, type PowerShellParse } from "./grammar";
import { HOSTILE_TEXT, hostileRequests } from "./requests";

/** The template's text before and after the placeholder: all a rendering may keep. */
function around(template: string): { before: string; after: string } {
    const at = template.indexOf(REQUEST_PLACEHOLDER);
    return { before: template.slice(0, at), after: template.slice(at + REQUEST_PLACEHOLDER.length) };
}

describe("user data reaches the scripts only as base64 data", function () {
    let parse: PowerShellParse;
    before(async function () {
        parse = await loadPowerShellParser();
    });

    for (const text of HOSTILE_TEXT) {
        it(`${JSON.stringify(text)} travels as data in every operation`, function () {
            for (const request of hostileRequests(text)) {
                const template = SCRIPT_TEMPLATES[request.op];
                const rendered = renderScript(request);
                const { before, after } = around(template);

                // Only the literal's content differs from the template.
                assert.ok(rendered.startsWith(before) && rendered.endsWith(after), `${request.op}: text outside the literal changed`);
                const inserted = rendered.slice(before.length, rendered.length - after.length);
                assert.match(inserted, /^[A-Za-z0-9.]+:[A-Za-z0-9+/]*={0,2}(;[A-Za-z0-9.]+:[A-Za-z0-9+/]*={0,2})*$/);
                assert.equal(before.endsWith("'") && after.startsWith("'"), true);

                // Decoding the literal gives back exactly the request.
                assert.deepEqual(decodeRequestText(inserted), request);

                // PowerShell's grammar sees the same program with one different string.
                const renderedTree = parse(rendered);
                const templateTree = parse(template);
                assert.equal(renderedTree.hasError, false, renderedTree.errors.join("\n"));
                assert.deepEqual(renderedTree.shape, templateTree.shape);
                assert.deepEqual(renderedTree.commandNames, templateTree.commandNames);
                assert.ok(renderedTree.verbatimStrings.includes(`'${inserted}'`));
            }
        });
    }

    it("on the command line, hostile text exists only inside the gzip+base64 data; on stdin, only in base64", function () {
        const fixedPrefix = [POWERSHELL_EXE, ...COMMAND_LINE_OPTIONS, "-Command", ".", LOADER_PREFIX].join(" ");
        const bootstrapLine = buildPowerShellStdinCommand("").commandLine;
        for (const text of HOSTILE_TEXT) {
            for (const request of hostileRequests(text)) {
                const invocation = prepareInvocation(request);
                const line = invocation.command.commandLine;
                if (invocation.delivery === "commandLine") {
                    assert.ok(line.startsWith(fixedPrefix) && line.endsWith(LOADER_SUFFIX), `${request.op}: the loader around the data changed`);
                    const data = line.slice(fixedPrefix.length, line.length - LOADER_SUFFIX.length);
                    assert.match(data, /^[A-Za-z0-9+/]+={0,2}$/);
                    assert.equal(decompressScript(data), renderScript(request));
                    assert.equal(invocation.stdin, undefined);
                } else {
                    assert.equal(line, bootstrapLine);
                    assert.ok(invocation.stdin !== undefined);
                    assert.match(invocation.stdin.toString("latin1"), /^[A-Za-z0-9+/]+={0,2}$/);
                }
                if (text.length >= 4) assert.equal(line.includes(text), false, `${JSON.stringify(text)} appears verbatim on the command line`);
            }
        }
    });

    it("each text field is base64 of its UTF-8: non-ASCII survives byte for byte", function () {
        const request: OperationRequest = { op: "read", location: "Genomgång/日本語/🎉" };
        const fields = encodeRequest(request).split(";");
        assert.deepEqual(fields.map((field) => field.split(":")[0]), ["op", "location"]);
        assert.ok(Buffer.from(fields[1].slice("location:".length), "base64").equals(Buffer.from("Genomgång/日本語/🎉", "utf8")));
        assert.deepEqual(decodeRequestText(encodeRequest(request)), request);
    });

    describe("substituteRequest refuses anything but name:base64 fields", function () {
        const template = SCRIPT_TEMPLATES.read;
        const refused = [
            "",
            "abc'",
            "op:QUJD'; exit; '",
            "op:QUJD'",
            "$(Remove-Item C:\\)",
            "op:QUJD\n",
            "op:QU JD",
            "op:QUJD====",
            "op:QUJD=QUJD",
            "op:QUJD-_==",
            "op:QUJDRA`=",
            "op:Genomgång",
            "op:QUJD\u0000",
            "QUJD",
            ":QUJD",
            "op:QUJD;",
            ";op:QUJD",
            "op:QUJD;;location:",
            "o-p:QUJD",
            "op:QUJD;location:$x",
        ];
        for (const text of refused) {
            it(`refuses ${JSON.stringify(text)}`, function () {
                assert.throws(() => substituteRequest(template, text), /only "name:base64" fields joined by ";" are allowed/);
            });
        }

        it("accepts name:base64 fields and changes nothing else", function () {
            for (const text of ["op:QUJD", "op:QUI=;location:", "op:cmVhZA==;set.max:MTA=;remove:bWF4", "content:+/+/"]) {
                const rendered = substituteRequest(template, text);
                assert.equal(rendered, template.replace(`'${REQUEST_PLACEHOLDER}'`, `'${text}'`));
            }
        });

        it("refuses a template without the placeholder literal, or with the placeholder twice", function () {
            assert.throws(() => substituteRequest("Read-Request '__OTHER__'", "op:QUJD"), /exactly once/);
            assert.throws(() => substituteRequest(`${template}\n# ${REQUEST_PLACEHOLDER}`, "op:QUJD"), /exactly once/);
            assert.throws(() => substituteRequest(`"${REQUEST_PLACEHOLDER}" '${REQUEST_PLACEHOLDER}'`, "op:QUJD"), /exactly once/);
        });
    });
});
