/**
 * Turns an operation request into the script that runs: the operation's static template with the
 * request substituted as data ("name:base64" fields). How the script then travels (command line or stdin) is
 * delivery.ts's business.
 */
import type { OperationRequest } from "./protocol";
import { REQUEST_PLACEHOLDER, SCRIPT_TEMPLATES } from "./scripts";

/** The request's wire form: "name:base64" fields joined by ";" (see Read-Request in scripts/Common.ps1). */
const REQUEST_TEXT = /^[A-Za-z][A-Za-z0-9.]*:[A-Za-z0-9+/]*={0,2}(;[A-Za-z][A-Za-z0-9.]*:[A-Za-z0-9+/]*={0,2})*$/;

/**
 * The request as the scripts read it: one "name:base64" field per value, joined by ";". Text is
 * base64 of its UTF-8, a file's content base64 of its bytes; each attribute in `set` is a
 * "set.<name>" field, each name in `remove` a "remove" field. No JSON: the scripts decode it with
 * the same .NET calls on Windows PowerShell 5.1 and PowerShell 7.
 */
export function encodeRequest(request: OperationRequest): string {
    const fields: string[] = [];
    const text = (name: string, value: string) => fields.push(`${name}:${Buffer.from(value, "utf8").toString("base64")}`);
    text("op", request.op);
    switch (request.op) {
        case "read":
            text("location", request.location);
            break;
        case "apply":
            text("location", request.location);
            for (const [name, value] of Object.entries(request.set)) if (value !== undefined) text(`set.${name}`, value);
            for (const name of request.remove) text("remove", name);
            if (request.failureExitCode !== undefined) text("failureExitCode", String(request.failureExitCode));
            break;
        case "readFile":
            if (request.path !== undefined) text("path", request.path);
            break;
        case "writeFile":
            if (request.path !== undefined) text("path", request.path);
            text("expectedSha256", request.expectedSha256);
            text("backupSuffix", request.backupSuffix);
            fields.push(`content:${request.content.toString("base64")}`);
            break;
        case "readWebConfigs":
            if (request.files.some((file) => file.includes("\n"))) throw new Error("a web.config path cannot contain a line feed");
            text("files", request.files.join("\n"));
            break;
    }
    return fields.join(";");
}

/**
 * Puts the request text in place of the template's one `'__REQUEST__'` literal. Refuses anything
 * but "name:base64" fields: inside single quotes only a `'` could end the literal, and none of
 * their characters is one, so the request stays data whatever it contains.
 */
export function substituteRequest(template: string, requestText: string): string {
    if (!REQUEST_TEXT.test(requestText)) {
        throw new Error(
            `refusing to put ${JSON.stringify(requestText.slice(0, 40))}${requestText.length > 40 ? "…" : ""} ` +
                `(${requestText.length} characters) into a script: only "name:base64" fields joined by ";" are allowed`,
        );
    }
    const literal = `'${REQUEST_PLACEHOLDER}'`;
    const at = template.indexOf(literal);
    if (at < 0 || template.indexOf(REQUEST_PLACEHOLDER, at + literal.length) >= 0 || template.indexOf(REQUEST_PLACEHOLDER) !== at + 1) {
        throw new Error(`the script template must contain ${literal} exactly once (and ${REQUEST_PLACEHOLDER} nowhere else)`);
    }
    return template.slice(0, at + 1) + requestText + template.slice(at + 1 + REQUEST_PLACEHOLDER.length);
}

/** The operation's script with this request in it. */
export function renderScript(request: OperationRequest): string {
    return substituteRequest(SCRIPT_TEMPLATES[request.op], encodeRequest(request));
}
