import { FAULT_CODE, FaultDetails } from "../../../provider/carriers/winrm/wsman";

/**
 * The WS-Man faults the test server sends, worded as Windows words them (texts from the recorded
 * exchanges in ../shared/reference/winrm where one exists). All are served with HTTP 500.
 */

/** A fault the shell layer raises; the HTTP layer serialises it with buildFault. */
export class ShellFault extends Error {
    readonly details: FaultDetails;

    constructor(details: FaultDetails) {
        super(details.reason ?? details.detailMessage ?? "WS-Management fault");
        this.name = "ShellFault";
        this.details = details;
    }
}

const INVALID_SELECTORS_REASON =
    "The WS-Management service cannot process the request because the request contained invalid selectors for the resource.";

/** w:InvalidSelectors 2150858843 for a ShellId the server does not know (deleted, idled out, never existed). */
export function unknownShell(machine: string): ShellFault {
    return new ShellFault({
        soapCode: "s:Sender",
        subcode: "w:InvalidSelectors",
        code: FAULT_CODE.invalidSelectors,
        reason: INVALID_SELECTORS_REASON,
        detailMessage: "The request for the Windows Remote Shell with ShellId was not found. The shell may have been closed or timed out.",
        machine,
    });
}

/** w:InvalidSelectors 2150858843 for an unknown CommandId (text as recorded in pypsrp's test_winrs_bad_cmd_id). */
export function unknownCommand(machine: string): ShellFault {
    return new ShellFault({
        soapCode: "s:Sender",
        subcode: "w:InvalidSelectors",
        code: FAULT_CODE.invalidSelectors,
        reason: INVALID_SELECTORS_REASON,
        detailMessage:
            "The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. " +
            "Either the command has completed execution or the client specified an invalid command identifier.",
        machine,
    });
}

/** w:TimedOut 2150858793: no output within OperationTimeout (recorded in pypsrp's test_winrs_operation_timeout). */
export function operationTimedOut(machine: string): ShellFault {
    const text = "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.";
    return new ShellFault({ soapCode: "s:Receiver", subcode: "w:TimedOut", code: FAULT_CODE.operationTimeout, reason: text, detailMessage: text, machine });
}

/**
 * MaxShellsPerUser exceeded, 2150859173. Windows reports it through p:MSFT_WmiError; this server
 * writes the same code in an f:WSManFault (which our client reads the same way).
 */
export function tooManyShells(machine: string, limit: number): ShellFault {
    return new ShellFault({
        soapCode: "s:Receiver",
        subcode: "w:InternalError",
        code: FAULT_CODE.maxShellsPerUser,
        reason:
            `The WS-Management service cannot process the request. This user is allowed a maximum number of ${limit} concurrent shells, ` +
            "which has been exceeded. Close existing shells or raise the quota for this user.",
        machine,
    });
}

/** ERROR_BROKEN_PIPE (0x8007006D): stdin sent to a command whose stdin is already closed. */
export function stdinClosed(machine: string): ShellFault {
    return new ShellFault({
        soapCode: "s:Receiver",
        subcode: "w:InternalError",
        code: 2147942509,
        reason: "The pipe has been ended.",
        machine,
    });
}

/** ERROR_FILE_NOT_FOUND as WinRS reports a program it cannot start (recorded in pypsrp's test_winrs_no_cmd_shell). */
export function programNotFound(machine: string): ShellFault {
    return new ShellFault({
        soapCode: "s:Receiver",
        subcode: "w:InternalError",
        code: FAULT_CODE.fileNotFound,
        reason: "The system cannot find the file specified.",
        detailMessage: "The system cannot find the file specified.",
        machine,
    });
}

/** ERROR_FILENAME_EXCED_RANGE (206): a command line longer than CreateProcess takes (32 767 characters). */
export function commandLineTooLong(machine: string): ShellFault {
    return new ShellFault({
        soapCode: "s:Receiver",
        subcode: "w:InternalError",
        code: 2147942606,
        reason: "The filename or extension is too long.",
        machine,
    });
}

/** ERROR_INVALID_PARAMETER (87), as Windows answers requests it cannot use (recorded in test_winrs_fail_poll_process). */
export function invalidParameter(machine: string, why: string): ShellFault {
    return new ShellFault({
        soapCode: "s:Sender",
        subcode: "w:InvalidParameter",
        code: FAULT_CODE.invalidParameter,
        reason: `The parameter is incorrect. (${why})`,
        machine,
    });
}

/** The "http500" injected fault: E_FAIL reported as an internal error. */
export function injectedInternalError(machine: string): FaultDetails {
    return {
        soapCode: "s:Receiver",
        subcode: "w:InternalError",
        code: 2147500037,
        reason: "The WS-Management service cannot process the request: internal error (injected by the test server).",
        machine,
    };
}
