import { strict as assert } from "assert";
import { createHash } from "crypto";
import {
    PowerShellScriptError,
    SCRIPT_ERROR_CODES,
    type ApplyRequest,
    type ReadFileRequest,
    type ReadRequest,
    type WriteFileRequest,
} from "../../provider/powershell/protocol";
import { parseScriptOutput } from "../../provider/powershell/response";

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

const read: ReadRequest = { op: "read", location: "Default Web Site" };
const serverRead: ReadRequest = { op: "read", location: "" };
const apply: ApplyRequest = { op: "apply", location: "Genomgång/app", set: { max: "1000", timeout: "00:10:00" }, remove: ["keepSessionIdSecure"] };
const content = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\r\n<configuration><!-- Genomgång --></configuration>\r\n', "utf8");
const readFile: ReadFileRequest = { op: "readFile", path: "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config" };
const writeFile: WriteFileRequest = {
    op: "writeFile",
    path: readFile.path,
    expectedSha256: "0".repeat(64),
    content,
    backupSuffix: ".bak",
};

/** What the readFile script prints: the content's line, then the JSON with its length. */
function readFileOutput(fields: Record<string, unknown>, bytes: Buffer, length = content.length): string {
    return `content:${bytes.toString("base64")}\n${JSON.stringify({ ...fields, contentBytes: length })}\n`;
}

/** What the read script prints, as Windows PowerShell 5.1's ConvertTo-Json -Compress writes it. */
const READ_LINE =
    '{"ok":true,"location":"Default Web Site","configPath":"MACHINE/WEBROOT/APPHOST/Default Web Site",' +
    '"configFile":"C:\\\\Windows\\\\system32\\\\inetsrv\\\\config\\\\applicationHost.config",' +
    '"explicit":{"max":"1000","timeout":"00:10:00"},' +
    '"effective":{"allowSessionState":true,"keepSessionIdSecure":true,"max":1000,"timeout":"00:10:00"}}';

const APPLY_LINE =
    '{"ok":true,"location":"Genomgång/app","configPath":"MACHINE/WEBROOT/APPHOST/Genomgång/app",' +
    '"configFile":"\\\\\\\\fileserver\\\\iis\\\\applicationHost.config","explicit":{"max":"1000","timeout":"00:10:00"},' +
    '"effective":{"allowSessionState":false,"keepSessionIdSecure":true,"max":1000,"timeout":"00:10:00"},' +
    '"before":{"explicit":{"keepSessionIdSecure":"True","max":"0100"},' +
    '"effective":{"allowSessionState":false,"keepSessionIdSecure":true,"max":100,"timeout":"00:20:00"}},' +
    '"changed":true,"verified":true}';

function failureLine(fields: Record<string, string>): string {
    return JSON.stringify({ ok: false, ...fields });
}

function expectError(run: () => unknown, check: (error: PowerShellScriptError) => void): void {
    let thrown: unknown;
    try {
        run();
    } catch (error) {
        thrown = error;
    }
    assert.ok(thrown instanceof PowerShellScriptError, `expected a PowerShellScriptError, got ${String(thrown)}`);
    check(thrown);
}

describe("parseScriptOutput: reading a script's stdout", function () {
    describe("good results", function () {
        it("read: the typed state", function () {
            const result = parseScriptOutput(read, READ_LINE + "\r\n");
            assert.deepEqual(result, {
                ok: true,
                location: "Default Web Site",
                configPath: "MACHINE/WEBROOT/APPHOST/Default Web Site",
                configFile: "C:\\Windows\\system32\\inetsrv\\config\\applicationHost.config",
                explicit: { max: "1000", timeout: "00:10:00" },
                effective: { allowSessionState: true, keepSessionIdSecure: true, max: 1000, timeout: "00:10:00" },
            });
        });

        it("read in a site: what a web.config overrides and which file sets it, or IIS's error for one it cannot read", function () {
            const overridden = JSON.parse(READ_LINE) as Record<string, unknown>;
            const byWebConfig = { max: { path: "Default Web Site", file: "C:\\inetpub\\wwwroot\\web.config" } };
            const result = parseScriptOutput(read, JSON.stringify({ ...overridden, overridden: "max", overriddenBy: byWebConfig }));
            assert.deepEqual([result.overridden, result.overriddenBy], [["max"], byWebConfig]);
            const unread = parseScriptOutput(read, JSON.stringify({ ...overridden, unread: "Filename: \\\\?\\C:\\w\\web.config\r\nError: Cannot read configuration file" }));
            assert.match(unread.unread ?? "", /^Filename: /);
            expectError(() => parseScriptOutput(read, JSON.stringify({ ...overridden, overriddenBy: { max: "C:\\web.config" } })), (error) => assert.match(error.message, /overriddenBy\.max is not \{ path, file \}/));
            expectError(() => parseScriptOutput(read, JSON.stringify({ ...overridden, overridden: ["maximum"] })), (error) => assert.match(error.message, /overridden names an unknown attribute "maximum"/));
        });

        it("read at the server level with nothing set there, uint32 max and a timeout over a day", function () {
            const line =
                '{"ok":true,"location":"","configPath":"MACHINE/WEBROOT/APPHOST","configFile":"C:\\\\x.config","explicit":{},' +
                '"effective":{"allowSessionState":true,"keepSessionIdSecure":false,"max":4294967295,"timeout":"365.00:00:00"}}';
            const result = parseScriptOutput(serverRead, line);
            assert.deepEqual(result.explicit, {});
            assert.equal(result.effective.max, 4294967295);
            assert.equal(result.effective.timeout, "365.00:00:00");
        });

        it("apply: the read-back plus verified, from UTF-8 bytes", function () {
            const result = parseScriptOutput(apply, Buffer.from(APPLY_LINE + "\n", "utf8"));
            assert.equal(result.verified, true);
            assert.equal(result.location, "Genomgång/app");
            assert.equal(result.configFile, "\\\\fileserver\\iis\\applicationHost.config");
            assert.equal(result.effective.allowSessionState, false);
        });

        it("apply: before (the state it replaced) and changed", function () {
            const result = parseScriptOutput(apply, APPLY_LINE);
            assert.deepEqual(result.before, {
                explicit: { keepSessionIdSecure: "True", max: "0100" },
                effective: { allowSessionState: false, keepSessionIdSecure: true, max: 100, timeout: "00:20:00" },
            });
            assert.equal(result.changed, true);
            assert.deepEqual(Object.keys(result).sort(), ["before", "changed", "configFile", "configPath", "effective", "explicit", "location", "ok", "verified"]);
        });

        it("apply that changed nothing: changed false, before as found (an empty explicit from PowerShell's empty ordered dictionary)", function () {
            const line = APPLY_LINE.replace('"explicit":{"keepSessionIdSecure":"True","max":"0100"}', '"explicit":{}').replace('"changed":true', '"changed":false');
            const result = parseScriptOutput(apply, line);
            assert.equal(result.changed, false);
            assert.deepEqual(result.before.explicit, {});
        });

        it("readFile: content whose SHA-256 matches", function () {
            const line = readFileOutput({ ok: true, path: readFile.path, source: "configPath", sha256: sha256(content) }, content);
            const result = parseScriptOutput(readFile, line);
            assert.ok(result.content.equals(content));
            assert.equal(result.sha256, sha256(content));
            assert.equal(result.source, "configPath");
        });

        it("readFile and writeFile without a path: the file the server found, and how", function () {
            const shared = "\\\\fileserver\\iis-config\\applicationHost.config";
            for (const source of ["windir", "sharedConfiguration"] as const) {
                const found = parseScriptOutput({ op: "readFile" }, readFileOutput({ ok: true, path: shared, source, sha256: sha256(content) }, content));
                assert.deepEqual([found.path, found.source], [shared, source]);
                const { path: _path, ...unnamed } = writeFile;
                const written = parseScriptOutput(unnamed, JSON.stringify({ ok: true, path: shared, source, sha256: sha256(content) }));
                assert.deepEqual(written, { ok: true, path: shared, source, sha256: sha256(content) });
            }
        });

        it("writeFile: the SHA-256 of the content sent", function () {
            const result = parseScriptOutput(writeFile, JSON.stringify({ ok: true, path: writeFile.path, source: "configPath", sha256: sha256(content) }));
            assert.deepEqual(result, { ok: true, path: writeFile.path, source: "configPath", sha256: sha256(content) });
        });

        it("JSON after noise lines, with a BOM and CRLF, and PowerShell's \\u003c escapes", function () {
            const stdout =
                "\uFEFFWARNING: profile loaded\r\nSome module banner {not json}\r\n\r\n\uFEFF" +
                READ_LINE.replace('"max":"1000"', '"max":"\\u0031000"') +
                "\r\n\r\n";
            assert.equal(parseScriptOutput(read, stdout).explicit.max, "1000");
        });

        it("the last JSON result line wins over an earlier one", function () {
            const earlier = READ_LINE.replace('"max":1000', '"max":5');
            assert.equal(parseScriptOutput(read, `${earlier}\n${READ_LINE}\n`).effective.max, 1000);
        });
    });

    describe("{ok:false} becomes a PowerShellScriptError with the code, the operation and the target", function () {
        for (const code of SCRIPT_ERROR_CODES) {
            it(code, function () {
                const extra: Record<string, string> = code === "conflict" ? { actualSha256: "b".repeat(64) } : {};
                const line = failureLine({ error: code, message: `the ${code} details`, ...extra });
                expectError(
                    () => parseScriptOutput(apply, `noise\n${line}\n`, { host: "web01.example.com" }),
                    (error) => {
                        assert.equal(error.code, code);
                        assert.equal(error.operation, "apply");
                        assert.equal(error.target, "Genomgång/app");
                        assert.equal(error.failure?.message, `the ${code} details`);
                        assert.equal(
                            error.message,
                            `apply at location "Genomgång/app" on web01.example.com failed (${code}): the ${code} details`,
                        );
                    },
                );
            });
        }

        it("conflict carries actualSha256", function () {
            const line = failureLine({ error: "conflict", message: "changed", actualSha256: "c".repeat(64) });
            expectError(
                () => parseScriptOutput(writeFile, line),
                (error) => {
                    assert.equal(error.code, "conflict");
                    assert.equal(error.failure?.actualSha256, "c".repeat(64));
                    assert.match(error.message, /^writeFile of "C:\\\\Windows\\\\System32\\\\inetsrv\\\\config\\\\applicationHost\.config" failed \(conflict\)/);
                },
            );
        });

        it("verifyFailed names the attribute, the expected and the actual value", function () {
            const line = failureLine({ error: "verifyFailed", message: "timeout reads back as 00:20:00", attribute: "timeout", expected: "00:10:00", actual: "00:20:00" });
            expectError(
                () => parseScriptOutput(apply, line),
                (error) => {
                    assert.deepEqual(
                        { attribute: error.failure?.attribute, expected: error.failure?.expected, actual: error.failure?.actual },
                        { attribute: "timeout", expected: "00:10:00", actual: "00:20:00" },
                    );
                },
            );
        });

        it("overridden names the attributes a web.config sets (one name as PowerShell prints a one-element array: the name alone)", function () {
            for (const [attributes, expected] of [[["max", "timeout"], ["max", "timeout"]], ["max", ["max"]]] as const) {
                expectError(
                    () => parseScriptOutput(apply, JSON.stringify({ ok: false, error: "overridden", message: "a web.config sets them", attributes })),
                    (error) => assert.deepEqual(error.failure?.attributes, expected),
                );
            }
            expectError(
                () => parseScriptOutput(apply, JSON.stringify({ ok: false, error: "overridden", message: "x", attributes: ["Max"] })),
                (error) => assert.equal(error.code, "badOutput"),
            );
        });

        it("the server level is named as such", function () {
            expectError(
                () => parseScriptOutput(serverRead, failureLine({ error: "ambiguousLocation", message: "two" })),
                (error) => assert.match(error.message, /^read at the server level failed \(ambiguousLocation\): two$/),
            );
        });
    });

    describe("unusable output is a badOutput error that says what was wrong", function () {
        const cases: { name: string; request: ReadRequest | ApplyRequest | ReadFileRequest | WriteFileRequest; stdout: string; message: RegExp }[] = [
            { name: "empty stdout", request: read, stdout: "", message: /printed nothing on stdout/ },
            { name: "only blank lines", request: read, stdout: "\r\n \r\n\n", message: /printed nothing on stdout/ },
            { name: "garbage", request: read, stdout: "Exception calling \"LoadFrom\"\r\nAt line:1 char:1", message: /no JSON result line .*At line:1 char:1/ },
            { name: "truncated JSON", request: read, stdout: READ_LINE.slice(0, 80), message: /no JSON result line/ },
            { name: "JSON without ok", request: read, stdout: '{"location":"x"}', message: /no JSON result line/ },
            { name: "a JSON array", request: read, stdout: "[1,2]", message: /no JSON result line/ },
            { name: "an unknown error code", request: read, stdout: failureLine({ error: "oops", message: "m" }), message: /unknown error code "oops"/ },
            { name: "a failure without a message", request: read, stdout: '{"ok":false,"error":"failed"}', message: /has no message/ },
            { name: "conflict without actualSha256", request: writeFile, stdout: failureLine({ error: "conflict", message: "m" }), message: /without a valid actualSha256/ },
            { name: "a result for another location", request: { op: "read", location: "Other Site" }, stdout: READ_LINE, message: /for location "Default Web Site", not "Other Site"/ },
            { name: "max beyond uint32", request: read, stdout: READ_LINE.replace('"max":1000', '"max":4294967296'), message: /effective\.max 4294967296 is not a uint32/ },
            { name: "a negative max", request: read, stdout: READ_LINE.replace('"max":1000', '"max":-1'), message: /effective\.max -1/ },
            { name: "a boolean as a string", request: read, stdout: READ_LINE.replace('"allowSessionState":true', '"allowSessionState":"True"'), message: /allowSessionState is not a boolean/ },
            { name: "a timeout that is not a TimeSpan", request: read, stdout: READ_LINE.replace('"timeout":"00:10:00"}}', '"timeout":"PT10M"}}'), message: /effective\.timeout "PT10M"/ },
            { name: "an unknown explicit attribute", request: read, stdout: READ_LINE.replace('"explicit":{', '"explicit":{"cookieless":"true",'), message: /unknown attribute "cookieless"/ },
            { name: "a non-string explicit value", request: read, stdout: READ_LINE.replace('"max":"1000"', '"max":1000'), message: /explicit\.max is not a string/ },
            { name: "a configPath that is not IIS's", request: read, stdout: READ_LINE.replace("MACHINE/WEBROOT/APPHOST/", "IIS:/"), message: /not an IIS configuration path/ },
            { name: "apply without verified", request: apply, stdout: APPLY_LINE.replace(',"verified":true', ""), message: /lacks verified: true/ },
            { name: "apply without before", request: apply, stdout: APPLY_LINE.replace(/"before":\{.*?\}\},/, ""), message: /lacks before \(the state it replaced\)/ },
            { name: "apply with before not an object", request: apply, stdout: APPLY_LINE.replace(/"before":\{.*?\}\},/, '"before":[],'), message: /lacks before/ },
            { name: "apply with an unknown attribute in before.explicit", request: apply, stdout: APPLY_LINE.replace('"before":{"explicit":{', '"before":{"explicit":{"cookieless":"true",'), message: /before\.explicit has an unknown attribute "cookieless"/ },
            { name: "apply with a non-string before.explicit value", request: apply, stdout: APPLY_LINE.replace('"max":"0100"', '"max":100'), message: /before\.explicit\.max is not a string/ },
            { name: "apply with before.effective missing", request: apply, stdout: APPLY_LINE.replace(/,"effective":\{[^}]*"timeout":"00:20:00"\}/, ""), message: /before\.effective is not an object/ },
            { name: "apply with a bad before.effective.max", request: apply, stdout: APPLY_LINE.replace('"max":100,', '"max":-5,'), message: /before\.effective\.max -5 is not a uint32/ },
            { name: "apply without changed", request: apply, stdout: APPLY_LINE.replace('"changed":true,', ""), message: /lacks changed: true\|false/ },
            { name: "apply with changed as a string", request: apply, stdout: APPLY_LINE.replace('"changed":true', '"changed":"True"'), message: /lacks changed/ },
            {
                name: "readFile content that does not match its SHA-256",
                request: readFile,
                stdout: readFileOutput({ ok: true, path: readFile.path, source: "configPath", sha256: sha256(content) }, Buffer.from("other"), 5),
                message: /content's SHA-256 is [0-9a-f]{64}, but the script reported/,
            },
            {
                name: "readFile with an uppercase SHA-256",
                request: readFile,
                stdout: readFileOutput({ ok: true, path: readFile.path, source: "configPath", sha256: sha256(content).toUpperCase() }, content),
                message: /is not 64 lowercase hex digits/,
            },
            {
                name: "readFile for another path",
                request: readFile,
                stdout: readFileOutput({ ok: true, path: "C:\\other.config", source: "configPath", sha256: sha256(content) }, content),
                message: /for path "C:\\\\other\.config", not the requested one/,
            },
            {
                name: "readFile of a named path that says the server found it",
                request: readFile,
                stdout: readFileOutput({ ok: true, path: readFile.path, source: "sharedConfiguration", sha256: sha256(content) }, content),
                message: /found by "sharedConfiguration", but the request named it/,
            },
            {
                name: "readFile without a path whose result names no file",
                request: { op: "readFile" },
                stdout: readFileOutput({ ok: true, source: "windir", sha256: sha256(content) }, content),
                message: /does not say which file the script found/,
            },
            {
                name: "readFile without a path that claims the request named it",
                request: { op: "readFile" },
                stdout: readFileOutput({ ok: true, path: readFile.path, source: "configPath", sha256: sha256(content) }, content),
                message: /found by "configPath"; expected "windir" or "sharedConfiguration"/,
            },
            {
                name: "readFile whose content line is missing",
                request: readFile,
                stdout: JSON.stringify({ ok: true, path: readFile.path, source: "configPath", sha256: sha256(content), contentBytes: content.length }),
                message: /the line before the result is not the file's "content:" line/,
            },
            {
                name: "readFile whose content line was cut short",
                request: readFile,
                stdout: readFileOutput({ ok: true, path: readFile.path, source: "configPath", sha256: sha256(content) }, content.subarray(0, 30)),
                message: /holds 30 bytes, but the script reported \d+ \(output cut short\?\)/,
            },
            {
                name: "readFile whose content line is not base64",
                request: readFile,
                stdout: `content:not base64!\n${JSON.stringify({ ok: true, path: readFile.path, source: "configPath", sha256: sha256(content), contentBytes: 9 })}`,
                message: /the "content:" line is not base64/,
            },
            {
                name: "writeFile reporting other content than was sent",
                request: writeFile,
                stdout: JSON.stringify({ ok: true, path: writeFile.path, source: "configPath", sha256: "d".repeat(64) }),
                message: /reports writing content with SHA-256 d{64}, but the content sent has/,
            },
        ];
        for (const { name, request, stdout, message } of cases) {
            it(name, function () {
                expectError(
                    () => parseScriptOutput(request, stdout),
                    (error) => {
                        assert.equal(error.code, "badOutput");
                        assert.equal(error.operation, request.op);
                        assert.equal(error.failure, undefined);
                        assert.match(error.message, message);
                    },
                );
            });
        }

        it("names the host and quotes stderr", function () {
            expectError(
                () => parseScriptOutput(read, "", { host: "web02", stderr: "  The term 'powershell.exe' is not recognized\r\n" }),
                (error) => {
                    assert.equal(
                        error.message,
                        `read at location "Default Web Site" on web02: the script printed nothing on stdout (expected one line of JSON); stderr: The term 'powershell.exe' is not recognized`,
                    );
                },
            );
        });
    });
});
