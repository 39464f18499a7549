/**
 * What Windows PowerShell 5.1 does not understand, and a check that finds it in a script's syntax
 * tree (tree-sitter-powershell, as in grammar.ts).
 *
 * The provider's scripts always run in Windows PowerShell 5.1 (.NET Framework 4.x); this project's
 * tests run them in PowerShell 7 (.NET) on Linux. A script that uses something only PowerShell 7
 * or .NET Core has passes every test here and fails on every Windows server, so the tests refuse
 * it by name: POWERSHELL_7_ONLY lists each construct, how it shows in the tree, what 5.1 does
 * with it, and the Microsoft page that says so.
 *
 * tree-sitter-powershell follows Microsoft's language specification, written for PowerShell 3.0:
 * it has no node for the operators PowerShell 6 and 7 added (`?:`, `??`, `??=`, `?.`, `?[]`,
 * `&&`, `||`, a trailing `&`), for numeric suffixes added in 6.2 and 7.0, for `clean` blocks or for
 * `using` statements, and it reads a parameter of `ForEach-Object` as an error. Those are
 * recognised from what the grammar produces instead (an ERROR node, a generic token, a command),
 * each at the place below that says so. Text in strings and comments is never read as code: only
 * the nodes the grammar makes for code are examined.
 *
 * Limits: the check sees what is written, not what runs. A parameter passed by splatting
 * (`@parameters`), a type held in a variable (`$t = [type]...; $t::Method()`) and a member called
 * on an instance (`$s.Split(...)`, whose overloads differ) are out of its sight.
 */
import type { Node } from "web-tree-sitter";
import { loadPowerShellTrees } from "./grammar";

/** The operators PowerShell 6 and 7 added; the grammar has none of them (see recognise()). */
export type PowerShell7Operator = "?:" | "??" | "??=" | "?." | "?[]" | "&&" | "||" | "&";

/**
 * A parameter as PowerShell binds it: by its full name or by any prefix that names no other
 * parameter of the command. `shortestPrefix` is the shortest prefix PowerShell 7.6 binds to this
 * parameter (from `(Get-Command <name>).Parameters`, common parameters and aliases included), so
 * every spelling PowerShell 7 accepts is recognised.
 */
export interface ParameterName {
    name: string;
    shortestPrefix: string;
}

/**
 * A .NET type name as PowerShell resolves it: case-insensitive, with or without the leading
 * "System." (PowerShell tries both), or after a `using namespace`.
 */
export type TypePattern =
    /** One of these full names (the generic name alone for generic types: "System.Span"). */
    | { named: readonly string[] }
    /** Any type in this namespace or below it. */
    | { inNamespace: string };

/** How a construct shows in the tree-sitter tree. */
export type Recogniser =
    /** An operator PowerShell 7 added: read from the ERROR node or generic token the grammar makes of it. */
    | { kind: "operator"; operator: PowerShell7Operator }
    /** A `command` node whose command_name is one of these names or aliases (a module-qualified name too). */
    | { kind: "command"; names: readonly string[] }
    /** A `command` node for one of these commands with one of these parameters (command_parameter nodes). */
    | { kind: "parameter"; commands: readonly string[]; parameters: readonly ParameterName[] }
    /** This parameter, on any command, with a literal value (bare word, quoted string or number) 5.1 does not accept. */
    | { kind: "parameterValue"; parameter: ParameterName; valuesWindowsPowerShellAccepts: readonly string[] }
    /** A `variable` node with one of these names (any scope qualifier but env: and other drives; `${braced}` too). */
    | { kind: "variable"; names: readonly string[] }
    /** A type named in a type literal (`[T]`, a cast, `-is [T]`, an attribute), a `New-Object` type name or `using namespace`. */
    | { kind: "type"; type: TypePattern }
    /** A static member `[T]::Member` (member_access, or invokation_expression when called, with its argument count). */
    | { kind: "staticMember"; type: TypePattern | "any type"; member: { oneOf: readonly string[] } | { startingWith: string }; argumentCount?: number }
    /** A named block of a function or script block (`clean { }`), which the grammar does not know. */
    | { kind: "namedBlock"; name: "clean" }
    /** A numeric literal with a type suffix added in 6.2 or 7.0 (`1u`, `0xFFs`, `10n`) or in binary (`0b101`). */
    | { kind: "numericLiteral" }
    /** An escape sequence added in 6.0 in a double-quoted string or a bare word: `` `u{…} `` and `` `e ``. */
    | { kind: "stringEscape" };

export interface PowerShell7Construct {
    /** Short, as a reader would say it: "null-coalescing operator ??". */
    name: string;
    recognisedBy: Recogniser;
    /** The first version that has it: "PowerShell 7.0", ".NET 5". */
    since: string;
    /** What Windows PowerShell 5.1 does instead: a parse error, an unknown parameter, a missing method, a silent $null. */
    windowsPowerShell51: string;
    /** The Microsoft pages it comes from, the most specific first. */
    documentation: readonly string[];
}

const DOCS = "https://learn.microsoft.com/en-us/powershell";
const WHATS_NEW_60 = "https://learn.microsoft.com/en-us/previous-versions/powershell/scripting/whats-new/what-s-new-in-powershell-core-60";
const WHATS_NEW_62 = "https://learn.microsoft.com/en-us/previous-versions/powershell/scripting/whats-new/what-s-new-in-powershell-core-62";
const WHATS_NEW_70 = `${DOCS}/scripting/whats-new/what-s-new-in-powershell-70`;
const DIFFERENCES = `${DOCS}/scripting/whats-new/differences-from-windows-powershell`;
const CMDLET_VERSIONS = `${DOCS}/scripting/whats-new/cmdlet-versions`;
const ABOUT_OPERATORS = `${DOCS}/module/microsoft.powershell.core/about/about_operators`;
const ABOUT_NUMERIC_LITERALS = `${DOCS}/module/microsoft.powershell.core/about/about_numeric_literals`;
const DOTNET_API = "https://learn.microsoft.com/en-us/dotnet/api";

const PARSE_ERROR = "a parse error, so not one line of the script runs";
const NOT_RECOGNISED = (command: string) => `The term '${command}' is not recognized as the name of a cmdlet, function, script file, or operable program (CommandNotFoundException) when the line runs`;
const NO_PARAMETER = "A parameter cannot be found that matches parameter name (ParameterBindingException) when the command runs";
const NO_METHOD = (type: string, method: string) => `Method invocation failed because [${type}] does not contain a method named '${method}' when the line runs`;
const NO_TYPE = "Unable to find type (or for New-Object: Cannot find type) when the line runs: the type is not in .NET Framework 4.x";

/** Everything the check refuses. Each entry was checked against the page it cites. */
export const POWERSHELL_7_ONLY: readonly PowerShell7Construct[] = [
    {
        name: "ternary operator ?:",
        recognisedBy: { kind: "operator", operator: "?:" },
        since: "PowerShell 7.0",
        windowsPowerShell51: `Unexpected token '?' in expression or statement: ${PARSE_ERROR}.`,
        documentation: [WHATS_NEW_70, ABOUT_OPERATORS],
    },
    {
        name: "null-coalescing operator ??",
        recognisedBy: { kind: "operator", operator: "??" },
        since: "PowerShell 7.0",
        windowsPowerShell51: `Unexpected token '??' in expression or statement: ${PARSE_ERROR}.`,
        documentation: [WHATS_NEW_70, DIFFERENCES, ABOUT_OPERATORS],
    },
    {
        name: "null-coalescing assignment operator ??=",
        recognisedBy: { kind: "operator", operator: "??=" },
        since: "PowerShell 7.0",
        windowsPowerShell51: `Unexpected token '??=' in expression or statement: ${PARSE_ERROR}.`,
        documentation: [WHATS_NEW_70, DIFFERENCES, ABOUT_OPERATORS],
    },
    {
        name: "null-conditional member access ?.",
        recognisedBy: { kind: "operator", operator: "?." },
        since: "PowerShell 7.0 (experimental; mainstream in 7.1)",
        windowsPowerShell51: `an unexpected token after the \${variable}: ${PARSE_ERROR}.`,
        documentation: [WHATS_NEW_70, DIFFERENCES, ABOUT_OPERATORS],
    },
    {
        name: "null-conditional element access ?[]",
        recognisedBy: { kind: "operator", operator: "?[]" },
        since: "PowerShell 7.0 (experimental; mainstream in 7.1)",
        windowsPowerShell51: `an unexpected token after the \${variable}: ${PARSE_ERROR}.`,
        documentation: [WHATS_NEW_70, DIFFERENCES, ABOUT_OPERATORS],
    },
    {
        name: "pipeline chain operator &&",
        recognisedBy: { kind: "operator", operator: "&&" },
        since: "PowerShell 7.0",
        windowsPowerShell51: `The token '&&' is not a valid statement separator in this version: ${PARSE_ERROR}.`,
        documentation: [`${DOCS}/module/microsoft.powershell.core/about/about_pipeline_chain_operators`, WHATS_NEW_70],
    },
    {
        name: "pipeline chain operator ||",
        recognisedBy: { kind: "operator", operator: "||" },
        since: "PowerShell 7.0",
        windowsPowerShell51: `The token '||' is not a valid statement separator in this version: ${PARSE_ERROR}.`,
        documentation: [`${DOCS}/module/microsoft.powershell.core/about/about_pipeline_chain_operators`, WHATS_NEW_70],
    },
    {
        name: "background operator & (pipeline run as a job)",
        recognisedBy: { kind: "operator", operator: "&" },
        since: "PowerShell 6.0",
        windowsPowerShell51: `The ampersand (&) character is not allowed (the & operator is reserved for future use): ${PARSE_ERROR}.`,
        documentation: [DIFFERENCES, WHATS_NEW_60],
    },
    {
        name: "ForEach-Object -Parallel (and -ThrottleLimit, -TimeoutSeconds, -AsJob)",
        recognisedBy: {
            kind: "parameter",
            commands: ["ForEach-Object", "%", "foreach"],
            parameters: [
                { name: "Parallel", shortestPrefix: "Pa" },
                { name: "ThrottleLimit", shortestPrefix: "Th" },
                { name: "TimeoutSeconds", shortestPrefix: "Ti" },
                { name: "AsJob", shortestPrefix: "As" },
            ],
        },
        since: "PowerShell 7.0",
        windowsPowerShell51: `${NO_PARAMETER}: 5.1's ForEach-Object has -Begin, -Process, -End, -RemainingScripts, -MemberName, -ArgumentList and -InputObject only.`,
        documentation: [`${DOCS}/module/microsoft.powershell.core/foreach-object`, WHATS_NEW_70, DIFFERENCES],
    },
    {
        name: "Join-String",
        recognisedBy: { kind: "command", names: ["Join-String"] },
        since: "PowerShell 6.2",
        windowsPowerShell51: `${NOT_RECOGNISED("Join-String")}; 5.1 has -join and [string]::Join.`,
        documentation: [`${DOCS}/module/microsoft.powershell.utility/join-string`, CMDLET_VERSIONS, DIFFERENCES],
    },
    {
        name: "ConvertFrom-Json -AsHashtable / -Depth / -NoEnumerate",
        recognisedBy: {
            kind: "parameter",
            commands: ["ConvertFrom-Json"],
            parameters: [
                { name: "AsHashtable", shortestPrefix: "A" },
                { name: "Depth", shortestPrefix: "Dep" },
                { name: "NoEnumerate", shortestPrefix: "N" },
            ],
        },
        since: "PowerShell 6.0 (-AsHashtable), 6.2 (-Depth), 7.0 (-NoEnumerate)",
        windowsPowerShell51: `${NO_PARAMETER}: 5.1's ConvertFrom-Json takes -InputObject only.`,
        documentation: [
            `${DOCS}/module/microsoft.powershell.utility/convertfrom-json`,
            `${DOCS}/module/microsoft.powershell.utility/convertfrom-json?view=powershell-5.1`,
            WHATS_NEW_60,
            WHATS_NEW_62,
        ],
    },
    {
        name: "ConvertTo-Json -AsArray / -EscapeHandling / -EnumsAsStrings",
        recognisedBy: {
            kind: "parameter",
            commands: ["ConvertTo-Json"],
            parameters: [
                { name: "AsArray", shortestPrefix: "A" },
                { name: "EscapeHandling", shortestPrefix: "Es" },
                { name: "EnumsAsStrings", shortestPrefix: "En" },
            ],
        },
        since: "PowerShell 6.2",
        windowsPowerShell51: `${NO_PARAMETER}: 5.1's ConvertTo-Json takes -InputObject, -Depth and -Compress only.`,
        documentation: [
            `${DOCS}/module/microsoft.powershell.utility/convertto-json`,
            `${DOCS}/module/microsoft.powershell.utility/convertto-json?view=powershell-5.1`,
            WHATS_NEW_62,
        ],
    },
    {
        name: "Get-Content / Set-Content / Add-Content -AsByteStream",
        recognisedBy: {
            kind: "parameter",
            commands: ["Get-Content", "gc", "cat", "type", "Set-Content", "sc", "Add-Content", "ac"],
            parameters: [{ name: "AsByteStream", shortestPrefix: "A" }],
        },
        since: "PowerShell 6.0",
        windowsPowerShell51: `${NO_PARAMETER}; 5.1 reads and writes bytes with -Encoding Byte, which 6.0 removed.`,
        documentation: [
            DIFFERENCES,
            `${DOCS}/module/microsoft.powershell.management/get-content`,
            `${DOCS}/module/microsoft.powershell.management/set-content`,
            `${DOCS}/module/microsoft.powershell.management/add-content`,
        ],
    },
    {
        name: "-Encoding utf8NoBOM, utf8BOM or a code page",
        recognisedBy: {
            kind: "parameterValue",
            parameter: { name: "Encoding", shortestPrefix: "En" },
            valuesWindowsPowerShellAccepts: ["Ascii", "BigEndianUnicode", "BigEndianUTF32", "Byte", "Default", "Oem", "String", "Unicode", "Unknown", "UTF32", "UTF7", "UTF8"],
        },
        since: "PowerShell 6.0 (utf8BOM, utf8NoBOM), 6.2 (code page numbers and names)",
        windowsPowerShell51:
            "Cannot bind parameter 'Encoding'. Cannot convert value to type FileSystemCmdletProviderEncoding when the command runs: 5.1 takes Ascii, BigEndianUnicode, BigEndianUTF32, Byte, Default, Oem, String, Unicode, Unknown, UTF32, UTF7 and UTF8 (with a BOM) only.",
        documentation: [`${DOCS}/module/microsoft.powershell.core/about/about_character_encoding`, WHATS_NEW_62],
    },
    {
        name: "Test-Json",
        recognisedBy: { kind: "command", names: ["Test-Json"] },
        since: "PowerShell 6.1",
        windowsPowerShell51: `${NOT_RECOGNISED("Test-Json")}.`,
        documentation: [`${DOCS}/module/microsoft.powershell.utility/test-json`, CMDLET_VERSIONS, DIFFERENCES],
    },
    {
        name: "Get-Error",
        recognisedBy: { kind: "command", names: ["Get-Error", "gerr"] },
        since: "PowerShell 7.0",
        windowsPowerShell51: `${NOT_RECOGNISED("Get-Error")}; 5.1 has $Error and the ErrorRecord's own properties.`,
        documentation: [`${DOCS}/module/microsoft.powershell.utility/get-error`, WHATS_NEW_70, CMDLET_VERSIONS],
    },
    {
        name: "Invoke-WebRequest / Invoke-RestMethod -SkipCertificateCheck",
        recognisedBy: {
            kind: "parameter",
            commands: ["Invoke-WebRequest", "iwr", "curl", "wget", "Invoke-RestMethod", "irm"],
            parameters: [{ name: "SkipCertificateCheck", shortestPrefix: "SkipC" }],
        },
        since: "PowerShell 6.0",
        windowsPowerShell51: `${NO_PARAMETER}; 5.1's web cmdlets validate certificates through [Net.ServicePointManager].`,
        documentation: [
            `${DOCS}/module/microsoft.powershell.utility/invoke-webrequest`,
            `${DOCS}/module/microsoft.powershell.utility/invoke-restmethod`,
            WHATS_NEW_60,
        ],
    },
    {
        name: "automatic variables $IsWindows, $IsLinux, $IsMacOS, $IsCoreCLR",
        recognisedBy: { kind: "variable", names: ["IsWindows", "IsLinux", "IsMacOS", "IsCoreCLR"] },
        since: "PowerShell 6.0",
        windowsPowerShell51:
            "no such variable: it is silently $null (false), so `if ($IsWindows)` takes the non-Windows branch on every Windows server; under Set-StrictMode it is an error instead.",
        documentation: [`${DOCS}/module/microsoft.powershell.core/about/about_automatic_variables`, WHATS_NEW_60],
    },
    {
        name: "clean block",
        recognisedBy: { kind: "namedBlock", name: "clean" },
        since: "PowerShell 7.3",
        windowsPowerShell51: `clean is no block keyword: beside begin/process/end it is ${PARSE_ERROR}; alone it calls a command named clean, which does not exist.`,
        documentation: [`${DOCS}/module/microsoft.powershell.core/about/about_functions_advanced_methods`],
    },
    {
        name: "Remove-Alias",
        recognisedBy: { kind: "command", names: ["Remove-Alias"] },
        since: "PowerShell 6.0",
        windowsPowerShell51: `${NOT_RECOGNISED("Remove-Alias")}; 5.1 removes an alias with Remove-Item Alias:\\name.`,
        documentation: [`${DOCS}/module/microsoft.powershell.utility/remove-alias`, DIFFERENCES, CMDLET_VERSIONS],
    },
    {
        name: "Get-Uptime",
        recognisedBy: { kind: "command", names: ["Get-Uptime"] },
        since: "PowerShell 6.0",
        windowsPowerShell51: `${NOT_RECOGNISED("Get-Uptime")}.`,
        documentation: [`${DOCS}/module/microsoft.powershell.utility/get-uptime`, DIFFERENCES, CMDLET_VERSIONS],
    },
    {
        name: "numeric literal suffixes y, uy, s, us, u, ul, n and binary 0b literals",
        recognisedBy: { kind: "numericLiteral" },
        since: "PowerShell 6.2 (y, uy, s, us, u, ul), 7.0 (n, 0b)",
        windowsPowerShell51:
            "not a number: 5.1 reads `1u` or `0b101` as a bare word, so after an operator it is a parse error, at the start of a statement a command that does not exist, and as a command argument the string '1u'.",
        documentation: [ABOUT_NUMERIC_LITERALS, `${ABOUT_NUMERIC_LITERALS}?view=powershell-5.1`, WHATS_NEW_62],
    },
    {
        name: "type accelerators [short], [ushort], [uint], [ulong]",
        recognisedBy: { kind: "type", type: { named: ["short", "ushort", "uint", "ulong"] } },
        since: "PowerShell 6.2",
        windowsPowerShell51: "Unable to find type [uint] (and so on) when the line runs; 5.1 has [int16], [uint16], [uint32], [uint64].",
        documentation: [ABOUT_NUMERIC_LITERALS, `${ABOUT_NUMERIC_LITERALS}?view=powershell-5.1`],
    },
    {
        name: "escape sequences `u{…} and `e in double-quoted strings and bare words",
        recognisedBy: { kind: "stringEscape" },
        since: "PowerShell 6.0",
        windowsPowerShell51: 'silently different text: a backtick before u or e only escapes the letter, so "`u{2713}" is u{2713} and "`e[0m" is e[0m.',
        documentation: [`${DOCS}/module/microsoft.powershell.core/about/about_special_characters`, WHATS_NEW_60, DIFFERENCES],
    },
    {
        name: "System.Text.Json",
        recognisedBy: { kind: "type", type: { inNamespace: "System.Text.Json" } },
        since: ".NET Core 3.0 (PowerShell 7.0)",
        windowsPowerShell51: `${NO_TYPE} (it is a separate package there, which 5.1 does not load).`,
        documentation: [`${DOTNET_API}/system.text.json`, DIFFERENCES],
    },
    {
        name: "Span, ReadOnlySpan, Memory, ReadOnlyMemory",
        recognisedBy: { kind: "type", type: { named: ["System.Span", "System.ReadOnlySpan", "System.Memory", "System.ReadOnlyMemory"] } },
        since: ".NET Core 2.1 (PowerShell 6.1)",
        windowsPowerShell51: `${NO_TYPE} (only the System.Memory package has them, which 5.1 does not load).`,
        documentation: [`${DOTNET_API}/system.span-1`, `${DOTNET_API}/system.readonlyspan-1`, `${DOTNET_API}/system.memory-1`, `${DOTNET_API}/system.readonlymemory-1`],
    },
    {
        name: "ThrowIf helpers ([ArgumentNullException]::ThrowIfNull, [ArgumentException]::ThrowIfNullOrEmpty, …)",
        recognisedBy: { kind: "staticMember", type: "any type", member: { startingWith: "ThrowIf" } },
        since: ".NET 6 (ThrowIfNull), .NET 7 and 8 (the others)",
        windowsPowerShell51: `${NO_METHOD("System.ArgumentNullException", "ThrowIfNull")}: no exception type in .NET Framework has a ThrowIf method.`,
        documentation: [`${DOTNET_API}/system.argumentnullexception.throwifnull`, `${DOTNET_API}/system.argumentexception.throwifnullorempty`],
    },
    {
        name: "[System.IO.Path]::Join",
        recognisedBy: { kind: "staticMember", type: { named: ["System.IO.Path"] }, member: { oneOf: ["Join"] } },
        since: ".NET Core 2.1",
        windowsPowerShell51: `${NO_METHOD("System.IO.Path", "Join")}; 5.1 has [System.IO.Path]::Combine.`,
        documentation: [`${DOTNET_API}/system.io.path.join`],
    },
    {
        name: "[System.IO.File]::Move with overwrite (3 arguments)",
        recognisedBy: { kind: "staticMember", type: { named: ["System.IO.File"] }, member: { oneOf: ["Move"] }, argumentCount: 3 },
        since: ".NET Core 3.0",
        windowsPowerShell51: 'Cannot find an overload for "Move" and the argument count: "3" when the line runs; .NET Framework has Move(source, destination) only.',
        documentation: [`${DOTNET_API}/system.io.file.move`],
    },
    {
        name: "[Convert]::ToHexString / FromHexString",
        recognisedBy: { kind: "staticMember", type: { named: ["System.Convert"] }, member: { oneOf: ["ToHexString", "ToHexStringLower", "FromHexString"] } },
        since: ".NET 5 (ToHexStringLower: .NET 9)",
        windowsPowerShell51: `${NO_METHOD("System.Convert", "ToHexString")}; 5.1 has [BitConverter]::ToString(bytes).Replace('-', '').`,
        documentation: [`${DOTNET_API}/system.convert.tohexstring`, `${DOTNET_API}/system.convert.fromhexstring`],
    },
    {
        name: "static HashData ([System.Security.Cryptography.SHA256]::HashData, …)",
        recognisedBy: { kind: "staticMember", type: { inNamespace: "System.Security.Cryptography" }, member: { oneOf: ["HashData", "HashDataAsync"] } },
        since: ".NET 5",
        windowsPowerShell51: `${NO_METHOD("System.Security.Cryptography.SHA256", "HashData")}; 5.1 creates an instance and calls ComputeHash.`,
        documentation: [`${DOTNET_API}/system.security.cryptography.sha256.hashdata`],
    },
];

/** One use of a construct in a script. */
export interface Finding {
    construct: PowerShell7Construct;
    /** 1-based, in the script as given. */
    line: number;
    column: number;
    /** The code that uses it, on one line, shortened. */
    code: string;
    /** Where it starts in the script (UTF-16 code units), for matching it to parse errors. */
    offset: number;
}

/** Text the grammar could not parse and no construct explains: the check cannot vouch for it. */
export interface UnparsedText {
    line: number;
    column: number;
    code: string;
}

export interface EditionReport {
    findings: Finding[];
    unparsed: UnparsedText[];
}

export type WindowsPowerShellCheck = (script: string) => EditionReport;

/** "line 3, column 9: `$x = $a ?? 1` uses null-coalescing operator ?? (PowerShell 7.0). Windows PowerShell 5.1: … See <url>" */
export function describeFinding(finding: Finding): string {
    const { construct } = finding;
    return (
        `line ${finding.line}, column ${finding.column}: \`${finding.code}\` uses ${construct.name} (${construct.since}). ` +
        `Windows PowerShell 5.1: ${construct.windowsPowerShell51} See ${construct.documentation.join(" and ")}`
    );
}

export function describeUnparsed(text: UnparsedText): string {
    return `line ${text.line}, column ${text.column}: tree-sitter-powershell cannot parse \`${text.code}\`, so the check cannot say whether Windows PowerShell 5.1 can`;
}

/** Loads the grammar once; call from a mocha `before` hook. */
export async function loadWindowsPowerShellCheck(): Promise<WindowsPowerShellCheck> {
    const trees = await loadPowerShellTrees();
    return (script) => trees(script, (root) => new ScriptCheck(script, root).run());
}

/** Lower case, as PowerShell compares names. */
function folded(name: string): string {
    return name.toLowerCase();
}

/** A type name as compared: lower case, no spaces, no generic arity (`1), no leading "system.". */
function typeKey(name: string): string {
    const key = folded(name).replace(/\s+/g, "").replace(/`\d+$/, "");
    return key.startsWith("system.") ? key.slice("system.".length) : key;
}

function typeMatches(pattern: TypePattern, candidates: readonly string[]): boolean {
    if ("named" in pattern) {
        const names = pattern.named.map(typeKey);
        return candidates.some((candidate) => names.includes(candidate));
    }
    const namespace = typeKey(pattern.inNamespace);
    return candidates.some((candidate) => candidate === namespace || candidate.startsWith(namespace + "."));
}

/** Whether `-written` (without the dash) binds to `parameter` in PowerShell 7. */
function parameterMatches(parameter: ParameterName, written: string): boolean {
    const spelled = folded(written);
    return folded(parameter.name).startsWith(spelled) && spelled.length >= parameter.shortestPrefix.length;
}

/** A command's name as matched: lower case, without a module qualifier (Microsoft.PowerShell.Utility\Join-String). */
function commandKey(name: string): string {
    return folded(name.slice(name.lastIndexOf("\\") + 1));
}

/** Integer literals 5.1 does not have: a 6.2/7.0 type suffix (with an optional multiplier), or binary. */
const NEWER_NUMBER = /^-?(?:0b[01]+(?:y|uy|s|us|u|ul|l|n)?|(?:0x[0-9a-f]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?)(?:y|uy|s|us|u|ul|n))(?:kb|mb|gb|tb|pb)?$/i;

/** Scope qualifiers that still name a variable; env: and other drives do not. */
const VARIABLE_SCOPES = new Set(["global", "script", "local", "private", "using", "variable"]);

/** Expression wrappers the grammar nests around every operand. */
const WRAPPERS = new Set([
    "pipeline",
    "logical_expression",
    "bitwise_expression",
    "comparison_expression",
    "additive_expression",
    "multiplicative_expression",
    "format_expression",
    "range_expression",
    "array_literal_expression",
    "unary_expression",
]);

/** A single-valued operand without the wrappers around it. */
function unwrap(node: Node): Node {
    let inner = node;
    while (WRAPPERS.has(inner.type) && inner.namedChildCount === 1) inner = inner.namedChild(0) as Node;
    return inner;
}

/** The value of a literal command argument (bare word, quoted string without variables, number), or undefined. */
function literalValue(node: Node): string | undefined {
    const inner = unwrap(node);
    if (inner.type === "generic_token") return inner.text;
    if (inner.type === "integer_literal" || inner.type === "decimal_integer_literal") return inner.text.trim();
    if (inner.type === "string_literal") {
        const quoted = inner.namedChild(0);
        if (quoted === null || quoted.namedChildCount > 0) return undefined;
        if (quoted.type === "verbatim_string_characters" || quoted.type === "expandable_string_literal") return quoted.text.slice(1, -1);
    }
    return undefined;
}

/** A type_spec's own name: a generic's name without its arguments, an array's element type. */
function ownTypeName(spec: Node): string {
    const first = spec.namedChild(0);
    if (first === null) return spec.text;
    return first.type === "type_name" ? first.text : (first.namedChild(0) ?? first).text;
}

/** Where a node's code starts: the grammar lets some tokens begin with the whitespace before them. */
function codeStart(node: Node): number {
    return node.startIndex + (node.text.length - node.text.trimStart().length);
}

function children(node: Node): Node[] {
    return node.children.filter((child): child is Node => child !== null);
}

/** `-Name` as the grammar leaves it in an ERROR node where it expects no parameter: `-` and a simple_name. */
function isParameterError(node: Node): boolean {
    const parts = children(node);
    return node.type === "ERROR" && parts.length === 2 && parts[0].type === "-" && parts[1].type === "simple_name";
}

interface CommandUse {
    name: string;
    node: Node;
    /** The parameters as written (without the dash), each with the element after it. */
    parameters: { name: string; node: Node; value: Node | undefined }[];
    /** Arguments not after a parameter, in order. */
    positional: Node[];
}

/** One run of the check over one script. */
class ScriptCheck {
    private readonly findings: Finding[] = [];
    private readonly namespaces: string[] = [];

    constructor(
        private readonly source: string,
        private readonly root: Node,
    ) {}

    run(): EditionReport {
        this.visit(this.root);
        return { findings: this.findings.sort((a, b) => a.offset - b.offset), unparsed: this.unparsed() };
    }

    private visit(node: Node): void {
        this.recognise(node);
        for (const child of children(node)) this.visit(child);
    }

    /** Adds a finding for each construct of this kind that `matches` accepts. */
    private report<K extends Recogniser["kind"]>(kind: K, offset: number, matches: (recogniser: Extract<Recogniser, { kind: K }>) => boolean = () => true): void {
        for (const construct of POWERSHELL_7_ONLY) {
            const recogniser = construct.recognisedBy;
            if (recogniser.kind === kind && matches(recogniser as Extract<Recogniser, { kind: K }>)) this.add(construct, offset);
        }
    }

    private reportOperator(operator: PowerShell7Operator, offset: number): void {
        this.report("operator", offset, (recogniser) => recogniser.operator === operator);
    }

    private add(construct: PowerShell7Construct, offset: number): void {
        const { line, column } = this.positionAt(offset);
        // The line as written; a long one as the 100 characters around the column.
        const lineText = this.source.split("\n")[line - 1] ?? "";
        const from = lineText.length <= 100 ? 0 : Math.max(0, Math.min(column - 50, lineText.length - 100));
        const code = `${from > 0 ? "..." : ""}${lineText.slice(from, from + 100).trim()}${from + 100 < lineText.length ? "..." : ""}`;
        this.findings.push({ construct, line, column, code, offset });
    }

    private positionAt(offset: number): { line: number; column: number } {
        const before = this.source.slice(0, offset);
        const lineStart = before.lastIndexOf("\n") + 1;
        return { line: before.split("\n").length, column: offset - lineStart + 1 };
    }

    private recognise(node: Node): void {
        switch (node.type) {
            case "ERROR":
                if (node.childCount === 0) {
                    this.recogniseQuestionMark(node);
                    // A bare word that starts with `e or `u{…}: the grammar drops the backtick and fails at the letter.
                    const at = codeStart(node);
                    if (this.source[at - 1] === "`" && (this.source.startsWith("e", at) || this.source.startsWith("u{", at))) this.report("stringEscape", at - 1);
                }
                return;
            case "&":
            case "|":
                // `a && b` and `a || b` in an expression: the grammar has no such operators and
                // ends the pipeline at the first character, leaving the second beside it (often
                // inside an ERROR node). Two in a row, nothing between, are the 7.0 operator.
                if (this.source[node.endIndex] === node.type) this.reportOperator(node.type === "&" ? "&&" : "||", node.endIndex - 1);
                return;
            case "generic_token":
                // In a command's arguments the grammar takes `&&` (even `a&&b`) and a lone `&` for
                // words; PowerShell 7 reads them as the chain and background operators there.
                if (node.text.includes("&&")) this.reportOperator("&&", node.startIndex + node.text.indexOf("&&"));
                else if (node.text === "&") this.reportOperator("&", node.startIndex);
                if (NEWER_NUMBER.test(node.text)) this.report("numericLiteral", codeStart(node));
                this.recogniseEscapes(node);
                return;
            case "command":
                this.recogniseCommand(node);
                return;
            case "command_name":
                // `$x = 1u` at a statement's start: the grammar takes the number for a command.
                if (NEWER_NUMBER.test(node.text)) this.report("numericLiteral", codeStart(node));
                return;
            case "variable":
                this.recogniseVariable(node);
                return;
            case "type_name":
                if (node.parent?.type !== "type_name") this.recogniseTypeName(node.text, node);
                return;
            case "invokation_expression":
            case "member_access":
                this.recogniseStaticMember(node);
                return;
            case "simple_name":
                // `clean { }` after begin/process/end: the grammar does not know the block, ends the
                // function body in an ERROR node and leaves `clean` there as a simple_name.
                if (node.parent?.type === "ERROR" && this.nextCodeCharacter(node.endIndex) === "{") this.report("namedBlock", codeStart(node), (recogniser) => recogniser.name === folded(node.text.trim()));
                return;
            case "decimal_integer_literal":
            case "hexadecimal_integer_literal":
            case "real_literal":
                this.recogniseNumberSuffix(node);
                return;
            case "expandable_string_literal":
            case "expandable_here_string_literal":
                this.recogniseEscapes(node);
                return;
        }
    }

    /**
     * `?:`, `??`, `??=`, `?.` and `?[]`: the grammar makes an ERROR token of the `?` or `??` (the
     * `=`, `.` or `[` after it often parses on), so the operator is read from the script text where
     * that token starts. `$name?` and `$name??` directly after a variable name are part of the name
     * in PowerShell 7 too (hence `${name}?.member`), so those are no operator.
     */
    private recogniseQuestionMark(token: Node): void {
        if (!token.text.trimStart().startsWith("?")) return;
        const at = codeStart(token);
        const before = at > 0 ? this.root.descendantForIndex(at - 1) : null;
        if (before !== null && before.endIndex === at && before.type === "variable" && !before.text.startsWith("${")) return;
        const operator = this.source.startsWith("??=", at) ? "??=" : this.source.startsWith("??", at) ? "??" : this.source.startsWith("?.", at) ? "?." : this.source.startsWith("?[", at) ? "?[]" : "?:";
        this.reportOperator(operator, at);
    }

    private nextCodeCharacter(offset: number): string {
        return this.source.slice(offset).trimStart().charAt(0);
    }

    private commandUse(node: Node): CommandUse | undefined {
        const first = node.namedChild(0);
        if (first === null) return undefined;
        if (first.type === "foreach_command") {
            // `ForEach-Object` / `%` followed by script blocks is a node of its own; any parameter
            // makes the grammar fail, leaving `-` and the name in an ERROR node: read them there.
            const parameters = children(first)
                .filter(isParameterError)
                .map((error) => children(error)[1])
                .map((name) => ({ name: name.text.trim(), node: name, value: undefined }));
            return { name: commandKey(children(first)[0]?.text ?? ""), node, parameters, positional: [] };
        }
        if (first.type !== "command_name") return undefined;
        const elements = node.namedChildren.find((child) => child?.type === "command_elements");
        const arguments_ = elements ? children(elements).filter((element) => element.isNamed && element.type !== "command_argument_sep") : [];
        const use: CommandUse = { name: commandKey(first.text), node, parameters: [], positional: [] };
        for (let index = 0; index < arguments_.length; index++) {
            const element = arguments_[index];
            if (element.type !== "command_parameter") {
                const previous = arguments_[index - 1];
                if (previous?.type !== "command_parameter") use.positional.push(element);
                continue;
            }
            const next = arguments_[index + 1];
            use.parameters.push({ name: element.text.replace(/^-/, "").replace(/:$/, ""), node: element, value: next?.type === "command_parameter" ? undefined : next });
        }
        return use;
    }

    private recogniseCommand(node: Node): void {
        const use = this.commandUse(node);
        if (use === undefined) return;
        this.report("command", node.startIndex, (recogniser) => recogniser.names.map(commandKey).includes(use.name));
        for (const parameter of use.parameters) {
            this.report(
                "parameter",
                parameter.node.startIndex,
                (recogniser) =>
                    recogniser.commands.map(commandKey).includes(use.name) &&
                    recogniser.parameters.some((known) => parameterMatches(known, parameter.name)),
            );
            const value = parameter.value === undefined ? undefined : literalValue(parameter.value);
            if (value !== undefined) {
                this.report(
                    "parameterValue",
                    parameter.node.startIndex,
                    (recogniser) =>
                        parameterMatches(recogniser.parameter, parameter.name) &&
                        !recogniser.valuesWindowsPowerShellAccepts.map(folded).includes(folded(value)),
                );
            }
        }
        if (use.positional[0] !== undefined && unwrap(use.positional[0]).type === "script_block_expression") {
            // `clean { }` as a function's only block: the grammar takes it for a command named clean.
            this.report("namedBlock", codeStart(node), (recogniser) => recogniser.name === use.name);
        }
        if (use.name === "using") {
            // The grammar has no `using` statement and reads `using namespace X` as a command.
            const [keyword, namespace] = use.positional;
            if (keyword !== undefined && namespace !== undefined && folded(keyword.text) === "namespace") {
                this.namespaces.push(namespace.text);
                this.recogniseTypeName(namespace.text, namespace);
            }
        }
        if (use.name === "new-object") {
            const typeName = use.parameters.find((parameter) => parameterMatches({ name: "TypeName", shortestPrefix: "T" }, parameter.name))?.value ?? use.positional[0];
            const written = typeName === undefined ? undefined : literalValue(typeName);
            // A generic type is written as one string, `List[System.Span[byte]]`: each name in it counts.
            if (written !== undefined && typeName !== undefined) for (const name of written.split(/[[\],\s]+/).filter(Boolean)) this.recogniseTypeName(name, typeName);
        }
    }

    private recogniseVariable(node: Node): void {
        let name = node.text.slice(1);
        if (name.startsWith("{") && name.endsWith("}")) name = name.slice(1, -1);
        const colon = name.indexOf(":");
        if (colon >= 0) {
            if (!VARIABLE_SCOPES.has(folded(name.slice(0, colon)))) return;
            name = name.slice(colon + 1);
        }
        this.report("variable", node.startIndex, (recogniser) => recogniser.names.map(folded).includes(folded(name)));
    }

    /** The names PowerShell may resolve a written type name to: as written, and under each `using namespace`. */
    private typeCandidates(written: string): string[] {
        return [typeKey(written), ...this.namespaces.map((namespace) => typeKey(`${namespace}.${written}`))];
    }

    private recogniseTypeName(written: string, node: Node): void {
        this.report("type", node.startIndex, (recogniser) => {
            // After `using namespace System.Text.Json` (a finding itself), a short name may be a
            // type from anywhere: only other namespaces lead a name into the refused one.
            const namespaces = this.namespaces.filter((namespace) => !("inNamespace" in recogniser.type && typeMatches(recogniser.type, [typeKey(namespace)])));
            return typeMatches(recogniser.type, [typeKey(written), ...namespaces.map((namespace) => typeKey(`${namespace}.${written}`))]);
        });
    }

    private recogniseStaticMember(node: Node): void {
        const [typeLiteral, operator] = children(node);
        if (typeLiteral?.type !== "type_literal" || operator?.type !== "::") return;
        const memberName = children(node).find((child) => child.type === "member_name");
        const spec = typeLiteral.namedChild(0);
        if (memberName === undefined || spec === null) return;
        const name = ownTypeName(spec);
        const member = folded(memberName.text.replace(/^['"]|['"]$/g, ""));
        const argumentList = children(node).find((child) => child.type === "argument_list");
        const argumentCount = argumentList === undefined ? undefined : (argumentList.namedChild(0)?.namedChildren.filter((child) => child?.type === "argument_expression").length ?? 0);
        const candidates = this.typeCandidates(name);
        this.report("staticMember", memberName.startIndex, (recogniser) => {
            if (recogniser.type !== "any type" && !typeMatches(recogniser.type, candidates)) return false;
            const memberMatches = "oneOf" in recogniser.member ? recogniser.member.oneOf.map(folded).includes(member) : member.startsWith(folded(recogniser.member.startingWith));
            return memberMatches && (recogniser.argumentCount === undefined || recogniser.argumentCount === argumentCount);
        });
    }

    /**
     * The grammar ends a number where 5.1's grammar does (`1`, `0x10`, `0`) and leaves a newer
     * suffix (`u`, `b101`) as a separate name or ERROR token: the number is read with the letters
     * and digits that directly follow it in the script text.
     */
    private recogniseNumberSuffix(literal: Node): void {
        const tail = /^[A-Za-z0-9]*/.exec(this.source.slice(literal.endIndex))?.[0] ?? "";
        if (tail !== "" && NEWER_NUMBER.test(literal.text.trim() + tail)) this.report("numericLiteral", codeStart(literal));
    }

    /** `` `u{…} `` and `` `e `` in a double-quoted string or a bare word (the grammar keeps their text whole). */
    private recogniseEscapes(literal: Node): void {
        const text = literal.text;
        for (let index = 0; index < text.length - 1; index++) {
            if (text[index] !== "`") continue;
            const escaped = text[index + 1];
            if (escaped === "e" || (escaped === "u" && text[index + 2] === "{")) this.report("stringEscape", literal.startIndex + index);
            index++;
        }
    }

    /** ERROR and MISSING nodes (outermost only) that contain no finding. */
    private unparsed(): UnparsedText[] {
        const regions: Node[] = [];
        const collect = (node: Node): void => {
            // A ForEach-Object parameter: the grammar's gap, read as a parameter by commandUse().
            if (node.isError && node.parent?.type === "foreach_command" && isParameterError(node)) return;
            if (node.isError || node.isMissing) {
                regions.push(node);
                return;
            }
            for (const child of children(node)) collect(child);
        };
        collect(this.root);
        return regions
            .filter((region) => !this.findings.some((finding) => finding.offset >= region.startIndex && finding.offset < Math.max(region.endIndex, region.startIndex + 1)))
            .map((region) => {
                const { line, column } = this.positionAt(region.startIndex);
                const code = region.isMissing ? `missing ${region.type}` : region.text.trim().replace(/\s+/g, " ");
                return { line, column, code: code.length > 80 ? code.slice(0, 77) + "..." : code };
            });
    }
}
