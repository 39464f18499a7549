import { isEncryptedContentType } from "../encryption";
import { WinrmError, type WinrmStep } from "../errors";
import type { HttpResponse } from "./exchange";

/** The body of a response to a scheme that does not seal: an encrypted one cannot be read. */
export function plainBody(host: string, response: HttpResponse, step: WinrmStep): Buffer {
    if (isEncryptedContentType(response.contentType)) {
        throw new WinrmError(host, step, "malformed-response", "failed: the server sent an encrypted response on a connection without an NTLM session");
    }
    return response.body;
}
