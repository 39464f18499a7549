/**
 * Turns an operation request into the script that runs: the operation's static template with the
 * request substituted as base64 data. How the script then travels (command line or stdin) is
 * delivery.ts's business.
 */
import type { OperationRequest } from "./protocol";
import { REQUEST_PLACEHOLDER, SCRIPT_TEMPLATES } from "./scripts";

/** Standard base64 (RFC 4648 §4), padded: the only text that may go into a script's literal. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Base64 of the request's UTF-8 JSON: the form the scripts decode. */
export function encodeRequest(request: OperationRequest): string {
    return Buffer.from(JSON.stringify(request), "utf8").toString("base64");
}

/**
 * Puts base64 text in place of the template's one `'__REQUEST__'` literal. Refuses anything but
 * non-empty standard base64: inside single quotes only a `'` could end the literal, and base64
 * has none, so the request stays data whatever it contains.
 */
export function substituteRequest(template: string, requestB64: string): string {
    if (requestB64.length === 0 || requestB64.length % 4 !== 0 || !BASE64.test(requestB64)) {
        throw new Error(
            `refusing to put ${JSON.stringify(requestB64.slice(0, 40))}${requestB64.length > 40 ? "…" : ""} ` +
                `(${requestB64.length} characters) into a script: only non-empty padded base64 (A-Z a-z 0-9 + / =) is allowed`,
        );
    }
    const literal = `'${REQUEST_PLACEHOLDER}'`;
    const at = template.indexOf(literal);
    if (at < 0 || template.indexOf(REQUEST_PLACEHOLDER, at + literal.length) >= 0 || template.indexOf(REQUEST_PLACEHOLDER) !== at + 1) {
        throw new Error(`the script template must contain ${literal} exactly once (and ${REQUEST_PLACEHOLDER} nowhere else)`);
    }
    return template.slice(0, at + 1) + requestB64 + template.slice(at + 1 + REQUEST_PLACEHOLDER.length);
}

/** The operation's script with this request in it. */
export function renderScript(request: OperationRequest): string {
    return substituteRequest(SCRIPT_TEMPLATES[request.op], encodeRequest(request));
}
