/** Real PowerShell 7 for the tests: find it, start it for Windows command lines, count it. */
export { findPwsh, pwshOrThrow, requirePwsh, PWSH_INSTALL_HINT } from "./locate";
export { countProcess, started, startPwsh, PROCESS_COUNT_FILE_VARIABLE, type ProcessResult, type RunningProgram } from "./process";
export { finished, startWindowsPowerShell } from "./windowsPowerShell";
export { isPowerShellProgram, splitWindowsCommandLine } from "./commandLine";
export { PwshRunner } from "./runner";
