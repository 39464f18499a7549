import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { TlsIdentity } from "./options";

/**
 * Throwaway certificates for the test server and its tests, made with the openssl command line
 * (P-256 keys: fast to generate; their ecdsa-with-SHA256 signature gives SHA-256 channel bindings).
 */

const run = promisify(execFile);

/**
 * A self-signed server certificate for CN=localhost, valid for localhost, 127.0.0.1 and this
 * machine's name (as a Windows server's certificate names its computer name).
 */
export async function createServerIdentity(): Promise<TlsIdentity> {
    return inScratchDir(async (dir) => {
        const key = path.join(dir, "server.key");
        const cert = path.join(dir, "server.crt");
        await openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
            "-addext", `subjectAltName=DNS:localhost,${/^[A-Za-z0-9.-]+$/.test(os.hostname()) ? `DNS:${os.hostname()},` : ""}IP:127.0.0.1`,
        ]);
        return { cert: fs.readFileSync(cert, "utf8"), key: fs.readFileSync(key, "utf8") };
    });
}

/** A CA and a client certificate it issued (subject CN = `commonName`), for certificate auth. */
export interface ClientCertificates {
    /** The CA certificate: the server's `clientCa`. */
    readonly caCert: string;
    readonly client: TlsIdentity;
}

export async function createClientCertificates(commonName: string): Promise<ClientCertificates> {
    return inScratchDir(async (dir) => {
        const file = (name: string) => path.join(dir, name);
        const extensions = file("client.ext");
        fs.writeFileSync(extensions, "extendedKeyUsage=clientAuth\n");
        await openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "2", "-subj", "/CN=WSMAN test CA",
        ]);
        await openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", file("client.key"), "-out", file("client.csr"), "-subj", `/CN=${commonName}`,
        ]);
        await openssl([
            "x509", "-req", "-in", file("client.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"),
            "-CAcreateserial", "-out", file("client.crt"), "-days", "2", "-extfile", extensions,
        ]);
        return {
            caCert: fs.readFileSync(file("ca.crt"), "utf8"),
            client: { cert: fs.readFileSync(file("client.crt"), "utf8"), key: fs.readFileSync(file("client.key"), "utf8") },
        };
    });
}

async function openssl(args: readonly string[]): Promise<void> {
    try {
        await run("openssl", args);
    } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? "";
        throw new Error(`openssl ${args.slice(0, 2).join(" ")} failed (is the openssl command installed?): ${stderr || String(error)}`);
    }
}

/** Runs `work` in a fresh temporary folder, removed afterwards (keys never outlive the call on disk). */
async function inScratchDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wsman-tls-"));
    try {
        return await work(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
