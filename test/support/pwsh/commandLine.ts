/**
 * A Windows command line as powershell.exe would receive it, turned into pwsh's argument list:
 * split as CommandLineToArgvW (and the C runtime) split it, the program checked to be
 * powershell[.exe] under any folder, the arguments kept as they are.
 */

/** The arguments of `commandLine` (program first), split by the Windows rules. */
export function splitWindowsCommandLine(commandLine: string): string[] {
    const args: string[] = [];
    let current = "";
    let quoted = false;
    let started = false;
    for (let i = 0; i < commandLine.length; i++) {
        const char = commandLine[i];
        if (char === "\\") {
            let run = 0;
            while (commandLine[i + run] === "\\") run++;
            if (commandLine[i + run] === '"') {
                // 2n backslashes + quote: n backslashes, the quote toggles; 2n+1: n backslashes and a literal quote.
                current += "\\".repeat(Math.floor(run / 2));
                if (run % 2 === 1) current += '"';
                else quoted = !quoted;
                i += run;
            } else {
                current += "\\".repeat(run);
                i += run - 1;
            }
            started = true;
        } else if (char === '"') {
            // Inside quotes, "" is a literal quote (and stays inside).
            if (quoted && commandLine[i + 1] === '"') {
                current += '"';
                i++;
            } else {
                quoted = !quoted;
            }
            started = true;
        } else if ((char === " " || char === "\t") && !quoted) {
            if (started) args.push(current);
            current = "";
            started = false;
        } else {
            current += char;
            started = true;
        }
    }
    if (started) args.push(current);
    return args;
}

/** True when `program` (quotes already removed) names powershell or powershell.exe, with or without a folder. */
export function isPowerShellProgram(program: string): boolean {
    return /^(?:.*[\\/])?powershell(?:\.exe)?$/i.test(program);
}
