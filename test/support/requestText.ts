/**
 * Reads a request back out of its wire form ("name:base64" fields joined by ";", render.ts) for
 * tests and the benchmark's stand-in PowerShell. Independent of the product's encoder: it follows
 * the format as the scripts read it (scripts/Common.ps1, Read-Request).
 */
import type { OperationRequest } from "../../provider/powershell/protocol";

export function decodeRequestText(text: string): OperationRequest {
    const fields: Record<string, string | Buffer> = {};
    const set: Record<string, string> = {};
    const remove: string[] = [];
    for (const field of text.split(";")) {
        const colon = field.indexOf(":");
        if (colon < 1) throw new Error(`not a name:base64 field: ${JSON.stringify(field.slice(0, 40))}`);
        const name = field.slice(0, colon);
        const bytes = Buffer.from(field.slice(colon + 1), "base64");
        const value = name === "content" ? bytes : bytes.toString("utf8");
        if (name.startsWith("set.")) set[name.slice(4)] = value as string;
        else if (name === "remove") remove.push(value as string);
        else if (name in fields) throw new Error(`field ${name} appears twice`);
        else fields[name] = value;
    }
    const { failureExitCode, ...rest } = fields;
    const request: Record<string, unknown> = { ...rest };
    if (fields.op === "apply") Object.assign(request, { set, remove });
    if (failureExitCode !== undefined) request.failureExitCode = Number(failureExitCode);
    return request as unknown as OperationRequest;
}
