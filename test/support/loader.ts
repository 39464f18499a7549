/**
 * Reads what the provider sent through the command-line loader (provider/powershell/delivery.ts):
 * the script is gzip-compressed UTF-8 in base64, as powershell.exe's loader decompresses it.
 */
import { gunzipSync } from "zlib";

export function decompressScript(compressedB64: string): string {
    return gunzipSync(Buffer.from(compressedB64, "base64")).toString("utf8");
}
