/**
 * `npm run acceptance`. With ASP_SESSION_ACCEPTANCE_TARGET set (on Windows: the workflow names
 * the runner's own IIS), runs the suite once against that target. Without it, starts this
 * repository's stand-ins — the WS-Management test server over http (NTLM, message encryption)
 * and https, the same with Kerberos (SPNEGO) against a throwaway MIT realm, OpenSSH's sshd, and a
 * local file, each with real pwsh and a scratch copy of
 * applicationHost.config — and runs the suite once per stand-in, with exactly the environment
 * variables a Windows run gets. Exits 1 if any run failed.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { kerberosUnavailable, startKrb5Realm } from "../support/krb5";
import { installMwaDouble } from "../support/mwa/install";
import { projectRoot } from "../support/paths";
import { pwshOrThrow } from "../support/pwsh/locate";
import { sshdUnavailable, startSshServer } from "../support/ssh/sshd";
import { scratchWindows } from "../support/windowsFolder";
import { startWsmanServer } from "../support/wsman";

const SUITE = path.join(__dirname, "lifecycle.acceptance.js");
const SAMPLE = path.join(projectRoot, "examples", "local", "applicationHost.config");
const USER = { username: "ACCEPTANCE\\deploy", password: "Acceptance-Stand-in-Passw0rd!" };
/** Three names of this machine, as the Windows workflow names its runner: the inventory refuses one server twice. */
const FLEET_HOSTS = ["localhost", "127.0.0.1", os.hostname()].join(",");

/** Runs the suite in its own process with `variables` added to the environment; resolves to its exit code. */
function runSuite(label: string, variables: Record<string, string>): Promise<number> {
    console.log(`\n=== acceptance: ${label}`);
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--no-config", "--reporter", "spec", "--timeout", "0", SUITE], {
            cwd: projectRoot,
            env: { ...process.env, ...variables },
            stdio: "inherit",
        });
        child.on("exit", (code, signal) => resolve(code ?? (signal === null ? 0 : 1)));
    });
}

async function standIns(): Promise<number> {
    const pwsh = pwshOrThrow();
    const results: Array<[string, number]> = [];
    const secrets = fs.mkdtempSync(path.join(os.tmpdir(), "asp-session-acceptance-secrets-"));
    fs.chmodSync(secrets, 0o700);
    const scratch = () => {
        const windows = scratchWindows(SAMPLE);
        installMwaDouble(windows.windir, pwsh);
        return windows;
    };
    const common = (file: string) => ({ ASP_SESSION_ACCEPTANCE_CONFIG_PATH: file, ASP_SESSION_ACCEPTANCE_READER: "mwa" });
    try {
        for (const https of [false, true]) {
            const windows = scratch();
            const server = await startWsmanServer({ users: [USER], applicationHostPath: windows.file, https });
            try {
                const variables: Record<string, string> = {
                    ...common(windows.file),
                    ASP_SESSION_ACCEPTANCE_TARGET: JSON.stringify({ kind: "winrm", host: "localhost", port: server.port, https, username: USER.username, platform: "linux" }),
                    ASP_SESSION_ACCEPTANCE_PASSWORD: USER.password,
                    ASP_SESSION_ACCEPTANCE_FLEET_HOSTS: FLEET_HOSTS,
                };
                if (https) {
                    const ca = path.join(secrets, "winrm-ca.pem");
                    fs.writeFileSync(ca, server.certificatePem ?? "");
                    variables.ASP_SESSION_ACCEPTANCE_CA_CERTIFICATE_FILE = ca;
                }
                results.push([`winrm ${https ? "https" : "http"}`, await runSuite(`WinRM over ${https ? "https" : "http"}, the WS-Management test server with real pwsh`, variables)]);
            } finally {
                await server.close();
                fs.rmSync(windows.dir, { recursive: true, force: true });
            }
        }

        const kerberosMissing = kerberosUnavailable();
        if (kerberosMissing !== undefined) {
            console.log(`\n=== acceptance: Kerberos skipped: ${kerberosMissing}`);
            if (process.env.CI === "true") results.push([`winrm kerberos (${kerberosMissing})`, 1]);
        } else {
            results.push(["winrm kerberos (negotiate, http)", await kerberosStandIn(scratch, common)]);
        }

        const missing = sshdUnavailable();
        if (missing !== undefined) {
            console.log(`\n=== acceptance: SSH skipped: ${missing}`);
            if (process.env.CI === "true") results.push([`ssh (${missing})`, 1]);
        } else {
            const windows = scratch();
            const server = await startSshServer();
            try {
                server.setWindir(windows.windir);
                const key = path.join(secrets, "ssh-key");
                fs.writeFileSync(key, server.privateKey, { mode: 0o600 });
                results.push(["ssh", await runSuite("SSH, OpenSSH's sshd with real pwsh", {
                    ...common(windows.file),
                    ASP_SESSION_ACCEPTANCE_TARGET: JSON.stringify({ kind: "ssh", host: "localhost", port: server.port, username: server.username, platform: "linux" }),
                    ASP_SESSION_ACCEPTANCE_PRIVATE_KEY_FILE: key,
                    ASP_SESSION_ACCEPTANCE_HOST_KEY: server.hostKey,
                    ASP_SESSION_ACCEPTANCE_FLEET_HOSTS: FLEET_HOSTS,
                })]);
            } finally {
                await server.stop();
                fs.rmSync(windows.dir, { recursive: true, force: true });
            }
        }

        const windows = scratch();
        try {
            results.push(["file", await runSuite("a local file", { ...common(windows.file), ASP_SESSION_ACCEPTANCE_TARGET: JSON.stringify({ kind: "file" }), ASP_SESSION_ACCEPTANCE_MODES: "xml" })]);
        } finally {
            fs.rmSync(windows.dir, { recursive: true, force: true });
        }
    } finally {
        fs.rmSync(secrets, { recursive: true, force: true });
    }
    console.log("\n=== acceptance summary");
    for (const [label, code] of results) console.log(`  ${code === 0 ? "passed" : "FAILED"}  ${label}`);
    return results.every(([, code]) => code === 0) ? 0 : 1;
}

/**
 * The suite over WinRM with Kerberos: a realm on loopback, the user's ticket in a cache the suite
 * inherits through KRB5CCNAME (no password), SPNEGO with encrypted bodies over http. Every host
 * spelling of the fleet reaches the one service principal HTTP/localhost, as an alias would with `spn`.
 */
async function kerberosStandIn(scratch: () => { dir: string; file: string }, common: (file: string) => Record<string, string>): Promise<number> {
    const realm = await startKrb5Realm();
    const windows = scratch();
    try {
        const cache = realm.newCache("acceptance");
        await realm.kinit(cache);
        const server = await startWsmanServer({
            users: [],
            applicationHostPath: windows.file,
            auth: ["kerberos"],
            kerberos: { keytab: realm.serviceKeytab, environment: realm.environment },
        });
        try {
            return await runSuite("WinRM with Kerberos (negotiate) over http, a real MIT KDC, the WS-Management test server with real pwsh", {
                ...common(windows.file),
                ...realm.environment,
                KRB5CCNAME: cache,
                ASP_SESSION_ACCEPTANCE_TARGET: JSON.stringify({ kind: "winrm", host: "localhost", port: server.port, auth: "negotiate", spn: "HTTP/localhost", platform: "linux" }),
                ASP_SESSION_ACCEPTANCE_FLEET_HOSTS: FLEET_HOSTS,
            });
        } finally {
            await server.close();
        }
    } finally {
        fs.rmSync(windows.dir, { recursive: true, force: true });
        await realm.close();
    }
}

async function main(): Promise<number> {
    if (process.env.ASP_SESSION_ACCEPTANCE_TARGET !== undefined) return runSuite("the target named by ASP_SESSION_ACCEPTANCE_TARGET", {});
    return standIns();
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(error instanceof Error ? error.stack ?? error.message : error);
        process.exit(1);
    },
);
