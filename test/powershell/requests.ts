/** Requests the provider really sends, and text chosen to break out of a PowerShell script. */
import * as fs from "fs";
import type { OperationRequest } from "../../provider/powershell/protocol";
import { realSizedApplicationHost } from "../support/realSizedApplicationHost";

/** Location paths and file paths that would run code if they were spliced into a script. */
export const HOSTILE_TEXT: readonly string[] = [
    "Default Web Site",
    "it's",
    'say "hi"',
    "$(Remove-Item C:\\ -Recurse -Force)",
    "$()",
    "${env:windir}",
    "`$x`n`0",
    "a; Stop-Computer",
    "'; exit; '",
    "\"; exit; \"",
    "'+(Remove-Item C:\\)+'",
    "line1\nline2",
    "cr\rhere",
    "tab\there\u0001\u001f\u007f",
    '@"\nhere-string\n"@',
    "@'\nverbatim here-string\n'@",
    "<# block comment",
    "#> end of block",
    "# not a comment",
    "Genomgång",
    "日本語のサイト/アプリ",
    "emoji 🎉🔥/app",
    "\u2018curly\u2019 \u201cquotes\u201d",
    "Site/_layouts/CUI.js",
    "__REQUEST__",
    "'__REQUEST__'",
];

/** A real-sized applicationHost.config (corpus or synthesized; see realSizedApplicationHost). */
export function sampleApplicationHost(): Buffer {
    return fs.readFileSync(realSizedApplicationHost());
}

/** One of each operation, with the values a real deployment uses. */
export function realisticRequests(): OperationRequest[] {
    const content = sampleApplicationHost();
    return [
        { op: "read", location: "" },
        { op: "read", location: "Default Web Site" },
        { op: "read", location: "Genomgång/app/sub" },
        { op: "apply", location: "Default Web Site", set: { allowSessionState: "true", max: "1000", timeout: "00:10:00" }, remove: [] },
        { op: "apply", location: "", set: { timeout: "1.00:00:00" }, remove: ["keepSessionIdSecure", "max"] },
        { op: "apply", location: "Site/app", set: {}, remove: ["allowSessionState", "keepSessionIdSecure", "max", "timeout"] },
        { op: "readFile", path: "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config" },
        { op: "readFile", path: "\\\\fileserver\\iis-shared\\applicationHost.config" },
        {
            op: "writeFile",
            path: "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config",
            expectedSha256: "0".repeat(64),
            content,
            backupSuffix: ".asp-session.bak",
        },
    ];
}

/** Every operation carrying `text` where user data goes (location, path, file content). */
export function hostileRequests(text: string): OperationRequest[] {
    return [
        { op: "read", location: text },
        { op: "apply", location: text, set: { timeout: "00:10:00" }, remove: ["max"] },
        { op: "readFile", path: `C:\\inetpub\\${text}` },
        {
            op: "writeFile",
            path: `C:\\inetpub\\${text}`,
            expectedSha256: "a".repeat(64),
            content: Buffer.from(`<configuration><!-- ${text} --></configuration>`, "utf8"),
            backupSuffix: ".bak",
        },
    ];
}
