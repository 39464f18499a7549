import { createHash } from "crypto";

/**
 * The OpenSSH fingerprint of a host key, as `ssh-keygen -lf` and `ssh` print it: "SHA256:" and
 * the unpadded base64 of the SHA-256 of the key's wire-format blob.
 */
export function hostKeyFingerprint(keyBlob: Buffer): string {
    return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** Fingerprints compare without the optional trailing "=" some tools print. */
export function sameFingerprint(a: string, b: string): boolean {
    return a.replace(/=+$/, "") === b.replace(/=+$/, "");
}
