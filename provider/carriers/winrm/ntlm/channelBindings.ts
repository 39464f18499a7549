import { createHash } from "crypto";

/**
 * TLS channel bindings for NTLM over HTTPS (Extended Protection for Authentication): the client
 * proves which server certificate it saw, so a TLS-terminating man in the middle cannot relay its
 * credentials. Windows asks for this when WinRM's CbtHardeningLevel is Strict (and uses it when
 * present under Relaxed, the default).
 *
 * MsvAvChannelBindings = MD5(gss_channel_bindings_struct) whose application data is
 * "tls-server-end-point:" ‖ H(server certificate DER) (RFC 5929 section 4.1), with H the hash of
 * the certificate's signature algorithm, upgraded to SHA-256 when that is MD5 or SHA-1.
 */

export type CertificateHash = "sha224" | "sha256" | "sha384" | "sha512";

/**
 * Signature algorithm OIDs and the hash RFC 5929 prescribes for each. RSASSA-PSS
 * (1.2.840.113549.1.1.10) names its hash in its parameters and is handled apart; Ed25519/Ed448
 * use no separate hash, so RFC 5929 leaves their bindings undefined.
 */
const SIGNATURE_HASHES: { readonly [oid: string]: CertificateHash } = {
    "1.2.840.113549.1.1.4": "sha256", // md5WithRSAEncryption (MD5 → SHA-256)
    "1.2.840.113549.1.1.5": "sha256", // sha1WithRSAEncryption (SHA-1 → SHA-256)
    "1.3.14.3.2.29": "sha256", // sha1WithRSASignature (OIW)
    "1.2.840.113549.1.1.14": "sha224",
    "1.2.840.113549.1.1.11": "sha256",
    "1.2.840.113549.1.1.12": "sha384",
    "1.2.840.113549.1.1.13": "sha512",
    "1.2.840.10045.4.1": "sha256", // ecdsa-with-SHA1
    "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
    "1.2.840.10040.4.3": "sha256", // dsa-with-sha1
    "2.16.840.1.101.3.4.3.1": "sha224",
    "2.16.840.1.101.3.4.3.2": "sha256",
};

/** Hash algorithm OIDs as they appear in RSASSA-PSS parameters (SHA-1 is upgraded). */
const DIGEST_HASHES: { readonly [oid: string]: CertificateHash } = {
    "1.3.14.3.2.26": "sha256", // sha1
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
};

const RSASSA_PSS_OID = "1.2.840.113549.1.1.10";

/**
 * The 16-byte MsvAvChannelBindings value for a server certificate (DER, as Node's
 * `tlsSocket.getPeerCertificate().raw`). Pass it as `channelBindings` to the client, or as
 * `expectedChannelBindings` to the server.
 */
export function channelBindingsHash(serverCertificateDer: Uint8Array): Buffer {
    return createHash("md5").update(gssChannelBindingsStruct(tlsServerEndPoint(serverCertificateDer))).digest();
}

/** "tls-server-end-point:" ‖ the certificate hash RFC 5929 prescribes: the application data. */
export function tlsServerEndPoint(serverCertificateDer: Uint8Array): Buffer {
    const hash = createHash(certificateHashAlgorithm(serverCertificateDer)).update(serverCertificateDer).digest();
    return Buffer.concat([Buffer.from("tls-server-end-point:", "latin1"), hash]);
}

/**
 * The gss_channel_bindings_struct (RFC 2744 3.11) in the flat form Windows hashes: initiator and
 * acceptor address types and lengths all zero, then the application data length and bytes.
 */
export function gssChannelBindingsStruct(applicationData: Uint8Array): Buffer {
    const header = Buffer.alloc(20);
    header.writeUInt32LE(applicationData.length, 16);
    return Buffer.concat([header, applicationData]);
}

/** The hash RFC 5929 prescribes for this certificate, from its signatureAlgorithm OID. */
export function certificateHashAlgorithm(certificateDer: Uint8Array): CertificateHash {
    const der = Buffer.from(certificateDer.buffer, certificateDer.byteOffset, certificateDer.byteLength);
    // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm AlgorithmIdentifier, ... }
    const certificate = readElement(der, 0, 0x30, "Certificate");
    const tbs = readElement(der, certificate.contentStart, 0x30, "tbsCertificate");
    const algorithm = readElement(der, tbs.end, 0x30, "signatureAlgorithm");
    const oidElement = readElement(der, algorithm.contentStart, 0x06, "signatureAlgorithm OID");
    const oid = decodeOid(der.subarray(oidElement.contentStart, oidElement.end));

    if (oid === RSASSA_PSS_OID) return pssHash(der, oidElement.end, algorithm.end);
    const hash = SIGNATURE_HASHES[oid];
    if (hash === undefined) {
        throw new Error(
            `cannot compute tls-server-end-point channel bindings: the certificate's signature algorithm ${oid} ` +
                `has no single hash function RFC 5929 could use (RSA, ECDSA and DSA with SHA-1/SHA-2 and RSASSA-PSS are supported)`,
        );
    }
    return hash;
}

/** RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... } */
function pssHash(der: Buffer, paramsStart: number, algorithmEnd: number): CertificateHash {
    if (paramsStart >= algorithmEnd || der[paramsStart] !== 0x30) return "sha256";
    const params = readElement(der, paramsStart, 0x30, "RSASSA-PSS parameters");
    if (params.contentStart >= params.end || der[params.contentStart] !== 0xa0) return "sha256";
    const explicit = readElement(der, params.contentStart, 0xa0, "RSASSA-PSS hashAlgorithm");
    const hashAlgorithm = readElement(der, explicit.contentStart, 0x30, "RSASSA-PSS hashAlgorithm");
    const hashOid = readElement(der, hashAlgorithm.contentStart, 0x06, "RSASSA-PSS hash OID");
    const oid = decodeOid(der.subarray(hashOid.contentStart, hashOid.end));
    const hash = DIGEST_HASHES[oid];
    if (hash === undefined) {
        throw new Error(`cannot compute tls-server-end-point channel bindings: unknown RSASSA-PSS hash algorithm ${oid}`);
    }
    return hash;
}

interface DerElement {
    readonly contentStart: number;
    readonly end: number;
}

/** One DER tag-length-value at `at`, checked against `tag` and the buffer's end. */
function readElement(der: Buffer, at: number, tag: number, what: string): DerElement {
    const fail = (why: string): never => {
        throw new Error(`not a DER X.509 certificate: ${what} at byte ${at}: ${why}`);
    };
    if (at + 2 > der.length) fail("truncated");
    if (der[at] !== tag) fail(`expected tag 0x${tag.toString(16)}, found 0x${der[at].toString(16)}`);
    let length = der[at + 1];
    let contentStart = at + 2;
    if (length & 0x80) {
        const lengthBytes = length & 0x7f;
        if (lengthBytes === 0 || lengthBytes > 4) fail(`unsupported length encoding 0x${length.toString(16)}`);
        if (contentStart + lengthBytes > der.length) fail("truncated length");
        length = der.readUIntBE(contentStart, lengthBytes);
        contentStart += lengthBytes;
    }
    const end = contentStart + length;
    if (end > der.length) fail(`length ${length} runs past the end (${der.length} bytes)`);
    return { contentStart, end };
}

function decodeOid(bytes: Buffer): string {
    const arcs: number[] = [];
    let value = 0;
    for (const byte of bytes) {
        value = value * 128 + (byte & 0x7f);
        if ((byte & 0x80) === 0) {
            if (arcs.length === 0) {
                const first = value < 80 ? Math.floor(value / 40) : 2;
                arcs.push(first, value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    return arcs.join(".");
}
