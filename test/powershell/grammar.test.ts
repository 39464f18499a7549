import { strict as assert } from "assert";
import { OPERATION_NAMES } from "../../provider/powershell/protocol";
import { LOADER_PREFIX, LOADER_SUFFIX, prepareInvocation } from "../../provider/powershell/delivery";
import { decompressScript } from "../support/loader";
import { REQUEST_PLACEHOLDER, SCRIPT_TEMPLATES } from "../../provider/powershell/scripts";
import { loadPowerShellParser, type PowerShellParse } from "./grammar";
import { realisticRequests } from "./requests";

/** The -EncodedCommand argument of a command line, decoded (UTF-16LE). */
function encodedCommandOf(args: readonly string[]): string {
    const at = args.indexOf("-EncodedCommand");
    assert.ok(at >= 0 && at + 1 < args.length, `no -EncodedCommand in ${args.join(" ")}`);
    return Buffer.from(args[at + 1], "base64").toString("utf16le");
}

describe("PowerShell scripts against PowerShell's grammar (tree-sitter-powershell)", function () {
    let parse: PowerShellParse;
    before(async function () {
        parse = await loadPowerShellParser();
    });

    for (const op of OPERATION_NAMES) {
        it(`the ${op} template parses without errors`, function () {
            const parsed = parse(SCRIPT_TEMPLATES[op]);
            assert.equal(parsed.hasError, false, parsed.errors.join("\n"));
        });
    }

    it("everything PowerShell receives for realistic requests parses: the loader and the script it decompresses, or the bootstrap and the script on stdin", function () {
        for (const request of realisticRequests()) {
            const invocation = prepareInvocation(request);
            let sent: string;
            if (invocation.delivery === "commandLine") {
                // PowerShell joins the arguments after -Command with spaces and runs that text.
                const args = invocation.command.arguments;
                const commandText = args.slice(args.indexOf("-Command") + 1).join(" ");
                const loader = parse(commandText);
                assert.equal(loader.hasError, false, `loader for ${request.op}: ${loader.errors.join("\n")}`);
                assert.equal(loader.verbatimStrings.length, 1, "one literal: the data");
                assert.deepEqual(loader.commandNames, [], "the loader calls no command by name");
                assert.deepEqual(loader.shape.slice(4, 6), ["command_invokation_operator", ".:."], "dot-sources a script block");
                const data = loader.verbatimStrings[0].slice(1, -1);
                assert.equal(commandText, `. ${LOADER_PREFIX}${data}${LOADER_SUFFIX}`);
                sent = decompressScript(data);
            } else {
                const bootstrap = parse(encodedCommandOf(invocation.command.arguments));
                assert.equal(bootstrap.hasError, false, `bootstrap for ${request.op}: ${bootstrap.errors.join("\n")}`);
                assert.ok(invocation.stdin !== undefined);
                sent = Buffer.from(invocation.stdin.toString("ascii"), "base64").toString("utf8");
            }
            const script = parse(sent);
            assert.equal(script.hasError, false, `script for ${JSON.stringify(request).slice(0, 80)}: ${script.errors.join("\n")}`);
        }
    });

    it("the loader with its quote left open is a parse error", function () {
        assert.equal(parse(`. ${LOADER_PREFIX}H4sI${LOADER_SUFFIX.slice(1)}`).hasError, true);
    });

    describe("the check can fail", function () {
        it("an unclosed condition is a parse error", function () {
            assert.equal(parse("if ($x { 1 }").hasError, true);
        });

        it("a template with one closing brace removed is a parse error", function () {
            const template = SCRIPT_TEMPLATES.apply;
            const last = template.lastIndexOf("}");
            const parsed = parse(template.slice(0, last) + template.slice(last + 1));
            assert.equal(parsed.hasError, true);
            assert.ok(parsed.errors.length > 0);
        });

        it("an unterminated request literal is a parse error", function () {
            const broken = SCRIPT_TEMPLATES.read.replace(`'${REQUEST_PLACEHOLDER}'`, `'${REQUEST_PLACEHOLDER}`);
            assert.equal(parse(broken).hasError, true);
        });

        it("a value spliced into the literal instead of base64 parses, runs a command, and changes the shape", function () {
            const template = SCRIPT_TEMPLATES.read;
            const spliced = template.replace(REQUEST_PLACEHOLDER, "x'; Remove-Item C:\\ -Recurse; '");
            const parsed = parse(spliced);
            assert.equal(parsed.hasError, false, "the splice is valid PowerShell, which is what makes it dangerous");
            assert.ok(parsed.commandNames.includes("Remove-Item"));
            assert.notDeepEqual(parsed.shape, parse(template).shape);
        });
    });
});
