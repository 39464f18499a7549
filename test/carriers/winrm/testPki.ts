import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

/**
 * Certificates for the HTTPS tests, made with openssl in a temporary folder at test time: a CA,
 * a server certificate for 127.0.0.1/localhost, one for another name, and a client certificate,
 * all issued by the CA (P-256 keys: quick to make).
 */
export interface TestPki {
    readonly caCertificate: string;
    readonly server: { readonly certificate: string; readonly key: string };
    /** Issued by the CA for "wrong.example" only. */
    readonly wrongName: { readonly certificate: string; readonly key: string };
    readonly client: { readonly certificate: string; readonly key: string };
}

export function createTestPki(): TestPki {
    const dir = mkdtempSync(join(tmpdir(), "winrm-pki-"));
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    const keyArgs = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    try {
        openssl(
            "req", "-x509", ...keyArgs, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
            "-subj", "/CN=WinRM test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        );
        const issue = (name: string, subject: string, extensions: string) => {
            writeFileSync(join(dir, `${name}.ext`), extensions);
            openssl("req", ...keyArgs, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
            openssl(
                "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", `${name}.crt`, "-days", "2", "-sha256", "-extfile", `${name}.ext`,
            );
            return { certificate: readFileSync(join(dir, `${name}.crt`), "utf8"), key: readFileSync(join(dir, `${name}.key`), "utf8") };
        };
        return {
            server: issue("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
            wrongName: issue("wrong", "/CN=wrong.example", "subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth\n"),
            client: issue("client", "/CN=winrm-client", "extendedKeyUsage=clientAuth\n"),
            caCertificate: readFileSync(join(dir, "ca.crt"), "utf8"),
        };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
