/**
 * Finding a Python that can run pywinrm (Debian's python3-winrm), for the interoperability tests
 * and the WinRM benchmark.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

/**
 * An OpenSSL configuration that activates the default and legacy providers: Debian's ntlm-auth
 * computes NTLM's MD4 through hashlib, which OpenSSL 3 only offers from its legacy provider.
 */
export const OPENSSL_LEGACY_CONF = [
    "openssl_conf = openssl_init",
    "[openssl_init]",
    "providers = provider_sect",
    "[provider_sect]",
    "default = default_sect",
    "legacy = legacy_sect",
    "[default_sect]",
    "activate = 1",
    "[legacy_sect]",
    "activate = 1",
    "",
].join("\n");

/** A Python with winrm and MD4, or why there is none. */
export type PythonLookup = { readonly python: string; readonly environment: NodeJS.ProcessEnv; readonly scratch: string } | { readonly missing: string; readonly scratch: string };

/**
 * WSMAN_PYTHON if set (as the interop tests), else Debian's /usr/bin/python3 (where apt puts
 * python3-winrm), else python3 on PATH. `scratch` holds the OpenSSL configuration; remove it when done.
 */
export async function findPywinrm(): Promise<PythonLookup> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pywinrm-"));
    const conf = path.join(scratch, "openssl-legacy.cnf");
    fs.writeFileSync(conf, OPENSSL_LEGACY_CONF);
    const environment = { ...process.env, OPENSSL_CONF: conf };
    const fromEnvironment = process.env.WSMAN_PYTHON;
    const candidates = fromEnvironment !== undefined && fromEnvironment !== ""
        ? [fromEnvironment]
        : ["/usr/bin/python3", "python3"].filter((candidate) => !candidate.startsWith("/") || fs.existsSync(candidate));
    const failures: string[] = [];
    for (const python of candidates) {
        try {
            await promisify(execFile)(python, ["-c", "import winrm, hashlib; hashlib.new('md4', b'')"], { env: environment });
            return { python, environment, scratch };
        } catch (error) {
            const stderr = ((error as { stderr?: string }).stderr ?? "").trim();
            failures.push(`${python}: ${stderr === "" ? (error as Error).message : stderr.split("\n").pop()}`);
        }
    }
    return {
        missing: `no python3 with the winrm module and MD4 (${failures.join("; ") || "no python3 found"}); install it with apt-get install -y python3-winrm, or set WSMAN_PYTHON`,
        scratch,
    };
}
