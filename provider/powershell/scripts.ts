/**
 * The PowerShell scripts the provider runs on a Windows server, one per operation, assembled from
 * the .ps1 files in scripts/ (read once, when this module loads; the package ships them beside
 * it). Each file is plain PowerShell that Pester dot-sources on its own (test/pester).
 *
 * One text serves Windows PowerShell 5.1 (what the provider starts on Windows) and PowerShell 7
 * (what the tests run, and what OpenSSH may start): nothing in the files branches on the edition
 * or the OS. Where Windows rules matter (path forms, WOW64), the functions take the facts as
 * parameters, so the tests call them with Windows inputs; test/powershell/editions.ts
 * refuses anything only PowerShell 7 understands.
 *
 * The only thing that varies between runs is the request, substituted for REQUEST_PLACEHOLDER
 * inside a single-quoted literal (render.ts): "name:base64" fields, whose characters cannot close
 * the literal, decoded by the script as data. delivery.ts decides whether the whole script goes
 * on the command line (gzip-compressed behind a short loader) or on stdin.
 *
 * Every script prints one line of compact JSON on stdout, {"ok":true,...} or
 * {"ok":false,"error":code,"message":...} (readFile puts the file's content on a line of its own
 * before it), and exits 0 even when it reports an error (protocol.ts has the contract,
 * response.ts reads it).
 */
import * as fs from "fs";
import * as path from "path";
import type { OperationName } from "./protocol";

/** Replaced by the request in every script; it appears exactly once, single-quoted. */
export const REQUEST_PLACEHOLDER = "__REQUEST__";

/** Replaced by the operation's name in Main.ps1. */
const OPERATION_PLACEHOLDER = "__OPERATION__";

/** Where the .ps1 files are: beside this module, in the source tree and in the package alike. */
export const SCRIPTS_FOLDER = path.join(__dirname, "scripts");

/**
 * The first line of each script, kept when comments are stripped: it names the script and its
 * version wherever Windows records the script's text (PowerShell script block logging, event 4104),
 * so an operator auditing a server can tell what ran.
 */
const SCRIPT_MARKERS: Readonly<Record<OperationName, string>> = {
    read: "# pulumi-iis-asp-session: read v3",
    apply: "# pulumi-iis-asp-session: apply v4",
    readFile: "# pulumi-iis-asp-session: readFile v4",
    writeFile: "# pulumi-iis-asp-session: writeFile v4",
    readWebConfigs: "# pulumi-iis-asp-session: readWebConfigs v1",
};

/** The files each operation's script is made of, in order; Main.ps1 always comes last. */
export const SCRIPT_FILES: Readonly<Record<OperationName, readonly string[]>> = {
    read: ["Common.ps1", "ConfigLocation.ps1", "Iis.ps1", "Read.ps1"],
    apply: ["Common.ps1", "ConfigLocation.ps1", "Iis.ps1", "Apply.ps1"],
    readFile: ["Common.ps1", "ConfigLocation.ps1", "FileAccess.ps1", "ReadFile.ps1"],
    writeFile: ["Common.ps1", "ConfigLocation.ps1", "FileAccess.ps1", "WriteFile.ps1"],
    readWebConfigs: ["Common.ps1", "ConfigLocation.ps1", "FileAccess.ps1", "ReadWebConfigs.ps1"],
};

function readScriptFile(name: string): string {
    const file = path.join(SCRIPTS_FOLDER, name);
    try {
        return fs.readFileSync(file, "utf8").replace(/\r\n/g, "\n");
    } catch (error) {
        throw new Error(`cannot read the provider's PowerShell script ${file} (is the package complete?): ${(error as Error).message}`);
    }
}

/**
 * The marker line, then the code without its whole-line comments and indentation: they are for
 * readers of the files, and every character sent costs command-line room (cmd.exe's 8191; apply
 * with a long location needs all of it). No script has a here-string or block comment
 * (scripts.test.ts checks), so a line starting with # is a comment and no line's leading
 * whitespace is data.
 */
function assemble(op: OperationName): string {
    const code = [...SCRIPT_FILES[op], "Main.ps1"]
        .map(readScriptFile)
        .join("\n")
        .split(OPERATION_PLACEHOLDER)
        .join(op)
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => !line.startsWith("#"));
    return [SCRIPT_MARKERS[op], ...code].join("\n").replace(/\n{2,}/g, "\n\n").trimEnd() + "\n";
}

/** The script of each operation, with REQUEST_PLACEHOLDER still in place. */
export const SCRIPT_TEMPLATES: Readonly<Record<OperationName, string>> = {
    read: assemble("read"),
    apply: assemble("apply"),
    readFile: assemble("readFile"),
    writeFile: assemble("writeFile"),
    readWebConfigs: assemble("readWebConfigs"),
};
