import * as assert from "assert";
import { decodeClixml, decodeClixmlEscapes, hasClixml } from "../../provider/powershell";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../support/paths";
import { requirePwsh, startPwsh } from "../support/pwsh";
import { readShared } from "../carriers/winrm/wsman/recorded";

const OBJS = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">';
const error = (text: string) => `<S S="Error">${text}_x000D__x000A_</S>`;

describe("CLIXML on stderr", () => {
    it("test_sanitise_clixml_with_error.xml: error lines joined, progress dropped", function () {
        const stderr = readShared("pypsrp", "test_sanitise_clixml_with_error.xml");
        if (stderr === undefined) return this.skip();
        assert.ok(hasClixml(stderr));
        assert.strictEqual(
            decodeClixml(stderr),
            [
                "fake : The term 'fake' is not recognized as the name of a cmdlet, function, script file, or operable program. Check ",
                "the spelling of the name, or if a path was included, verify that the path is correct and try again.",
                "At line:1 char:1",
                "+ fake cmdlet",
                "+ ~~~~",
                "    + CategoryInfo          : ObjectNotFound: (fake:String) [], CommandNotFoundException",
                "    + FullyQualifiedErrorId : CommandNotFoundException",
            ].join("\r\n"),
        );
    });

    it("test_sanitise_clixml_with_no_errors.xml: only progress records, so nothing to show", function () {
        const stderr = readShared("pypsrp", "test_sanitise_clixml_with_no_errors.xml");
        if (stderr === undefined) return this.skip();
        assert.strictEqual(decodeClixml(stderr), "");
    });

    it("nested headers (#< CLIXML twice) before one document", () => {
        assert.strictEqual(decodeClixml(`#< CLIXML\r\n#< CLIXML\r\n${OBJS}${error("boom")}</Objs>`), "boom");
    });

    it("several documents, with and without their own header", () => {
        const stderr = `#< CLIXML\r\n${OBJS}${error("one")}</Objs>${OBJS}${error("two")}</Objs>\r\n#< CLIXML\r\n${OBJS}${error("three")}</Objs>`;
        assert.strictEqual(decodeClixml(stderr), "one\r\ntwo\r\nthree");
    });

    it("a header in the middle of ordinary stderr keeps the text around it", () => {
        const stderr = `'foo' is not recognized\r\n#< CLIXML\r\n${OBJS}${error("boom")}</Objs>\r\ntrailing text\r\n`;
        assert.strictEqual(decodeClixml(stderr), "'foo' is not recognized\r\nboom\r\ntrailing text\r\n");
    });

    it("warning, verbose and debug records get the console's prefixes; other objects are dropped", () => {
        const stderr =
            `#< CLIXML\r\n${OBJS}<S S="Warning">careful_x000A_</S><S S="Verbose">detail_x000A_</S><S S="Debug">dbg_x000A_</S>` +
            `<S S="Information">dropped</S><Obj S="progress" RefId="0"><MS><I64 N="SourceId">1</I64></MS></Obj>${error("bad")}</Objs>`;
        assert.strictEqual(decodeClixml(stderr), "WARNING: careful\nVERBOSE: detail\nDEBUG: dbg\nbad");
    });

    it("decodes _xHHHH_ escapes, XML entities and leaves look-alikes alone", () => {
        assert.strictEqual(decodeClixmlEscapes("a_x000D__x000A_b_x0009_c_x005F_x0041_ _x41_ _xZZZZ_"), "a\r\nb\tc_x0041_ _x41_ _xZZZZ_");
        assert.strictEqual(decodeClixml(`#< CLIXML\r\n${OBJS}<S S="Error">&lt;path&gt; &amp; _x00E9_</S></Objs>`), "<path> & é");
    });

    it("stderr without CLIXML comes back unchanged", () => {
        for (const stderr of ["", "plain error\r\n", "<Objs> is not a header\n", "#< CLIX almost"]) {
            assert.strictEqual(hasClixml(stderr), false);
            assert.strictEqual(decodeClixml(stderr), stderr);
        }
    });

    it("a document that does not parse, or never ends, is kept verbatim", () => {
        const broken = `${OBJS}<S S="Error">unclosed</Objs>`;
        assert.strictEqual(decodeClixml(`#< CLIXML\r\n${broken}`), broken);
        const truncated = `${OBJS}${error("cut")}`;
        assert.strictEqual(decodeClixml(`#< CLIXML\r\n${truncated}`), truncated);
    });

    it("a header followed by plain text drops the header only", () => {
        assert.strictEqual(decodeClixml("#< CLIXML\r\nnot xml after all"), "not xml after all");
    });
});

describe("CLIXML as PowerShell 7 really writes it", () => {
    const fixtures = path.join(projectRoot, "test", "carriers", "winrm", "wsman", "fixtures");
    /** What a console would have shown for the recorded scripts. */
    const STREAMS_TEXT = "WARNING: careful: <&> é\r\nVERBOSE: detail\r\nDEBUG: dbg\r\nWrite-Error: it broke";
    const OUTPUT_FORMAT_XML_TEXT = "it broke <&>\r\ntold you\r\nWARNING: careful";

    it("recorded from pwsh 7.6.9 -EncodedCommand: lower-case warning/verbose/debug, a coloured error, a progress record", () => {
        // Write-Warning "careful: <&> é"; Write-Verbose "detail" -Verbose; Write-Debug "dbg" -Debug;
        // Write-Progress -Activity "Copying" -Status "half" -PercentComplete 50; Write-Error "it broke"; "out"
        const stderr = fs.readFileSync(path.join(fixtures, "pwsh-7.6.9-streams.stderr"), "utf8");
        assert.match(stderr, /<S S="warning">/);
        assert.match(stderr, /<Obj S="progress"/);
        assert.strictEqual(decodeClixml(stderr), STREAMS_TEXT);
    });

    it("recorded from pwsh 7.6.9 -OutputFormat xml: <Obj S=\"Error\"> and <Obj S=\"information\"> records are shown, not dropped", () => {
        // Write-Error "it broke <&>"; Write-Information "told you" -InformationAction Continue; Write-Warning "careful"
        const stderr = fs.readFileSync(path.join(fixtures, "pwsh-7.6.9-outputformat-xml.stderr"), "utf8");
        assert.match(stderr, /<Obj S="Error"/);
        assert.strictEqual(decodeClixml(stderr), OUTPUT_FORMAT_XML_TEXT);
    });

    it("what pwsh on PATH writes now decodes to the same text", async function () {
        this.timeout(120_000);
        const pwsh = requirePwsh(this);
        const script = 'Write-Warning "careful: <&> é"; Write-Verbose "detail" -Verbose; Write-Debug "dbg" -Debug; Write-Progress -Activity "Copying" -Status "half" -PercentComplete 50; Write-Error "it broke"; "out"';
        const program = startPwsh({ pwsh, args: ["-NoProfile", "-NonInteractive", "-EncodedCommand", Buffer.from(script, "utf16le").toString("base64")], windir: os.tmpdir(), consoleModeStdin: false });
        program.endInput();
        const result = await program.result;
        assert.strictEqual(result.stdout.toString("utf8").trim(), "out");
        assert.strictEqual(decodeClixml(result.stderr.toString("utf8")), STREAMS_TEXT);
    });
});
