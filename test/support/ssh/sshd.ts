import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { closedPort } from "../network";
import { projectRoot } from "../paths";
import { findPwsh, PROCESS_COUNT_FILE_VARIABLE, PWSH_INSTALL_HINT } from "../pwsh";

/**
 * A real OpenSSH server (Debian's openssh-server) on loopback, for tests and benchmarks: started
 * on a free port with freshly generated host and user keys, as the user running the tests.
 *
 * What it runs stands in for Windows OpenSSH with its default shell: every command goes to
 * cmdShim.py (sshd's ForceCommand), which does the little of `cmd.exe /c` our command lines need
 * and starts `powershell.exe` from its bin folder, a wrapper that runs real PowerShell 7 (pwsh)
 * with %windir% set to a scratch Windows folder (setWindir; windowsFolder.ts), where mode "iis"
 * finds the Microsoft.Web.Administration double. Files are named by their Linux paths (the
 * scripts take /... paths under PowerShell 7 on Linux). When the tests run as root, pwsh runs
 * without CAP_DAC_OVERRIDE, so file permissions refuse writes as they would a non-administrator's.
 */
export interface SshServer {
    readonly port: number;
    /** The login name (the user running the tests). */
    readonly username: string;
    /** "SHA256:..." of the host key, as `ssh-keygen -lf` prints it. */
    readonly hostKey: string;
    /** An authorised ed25519 key (OpenSSH format). */
    readonly privateKey: string;
    /** The same kind of key, authorised, encrypted with `passphrase`. */
    readonly encryptedKey: string;
    readonly passphrase: string;
    /** A valid key that is not authorised. */
    readonly strangerKey: string;
    /**
     * What PowerShell sees as %windir% (and %SystemRoot%) from now on: a scratch Windows folder
     * (windowsFolder.ts) with the Microsoft.Web.Administration double installed, for mode "iis".
     */
    setWindir(windir: string): void;
    /** What sshd logged (LogLevel VERBOSE). */
    log(): string;
    stop(): Promise<void>;
}

export interface SshServerOptions {
    /** Extra sshd_config lines. */
    config?: string[];
}

const SSHD = "/usr/sbin/sshd";

/** Why sshd or pwsh cannot be used here, or undefined when both can. */
export function sshdUnavailable(): string | undefined {
    if (!fs.existsSync(SSHD)) return `${SSHD} is missing (apt-get install openssh-server; .ci/run does)`;
    if (findPwsh() === undefined) return `pwsh is not on PATH: ${PWSH_INSTALL_HINT}`;
    return undefined;
}

function keygen(file: string, passphrase = ""): string {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", "test", "-f", file]);
    return fs.readFileSync(file, "utf8");
}

export async function startSshServer(options: SshServerOptions = {}): Promise<SshServer> {
    const problem = sshdUnavailable();
    if (problem !== undefined) throw new Error(problem);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sshd-"));
    try {
        return await startIn(dir, options);
    } catch (error) {
        // stop() removes it once started; a server that never started leaves nothing either.
        fs.rmSync(dir, { recursive: true, force: true });
        throw error;
    }
}

async function startIn(dir: string, options: SshServerOptions): Promise<SshServer> {
    const pwsh = findPwsh() as string;
    fs.chmodSync(dir, 0o755);
    const home = path.join(dir, "home");
    const bin = path.join(dir, "bin");
    fs.mkdirSync(home);
    fs.mkdirSync(bin);
    keygen(path.join(dir, "host_ed25519"));
    const hostKey = execFileSync("ssh-keygen", ["-lf", path.join(dir, "host_ed25519.pub")], { encoding: "utf8" }).split(" ")[1];
    const privateKey = keygen(path.join(dir, "user"));
    const passphrase = "test passphrase " + Math.random().toString(36).slice(2);
    const encryptedKey = keygen(path.join(dir, "user_encrypted"), passphrase);
    const strangerKey = keygen(path.join(dir, "stranger"));
    fs.writeFileSync(
        path.join(dir, "authorized_keys"),
        fs.readFileSync(path.join(dir, "user.pub"), "utf8") + fs.readFileSync(path.join(dir, "user_encrypted.pub"), "utf8"),
        { mode: 0o600 },
    );
    fs.copyFileSync(path.join(projectRoot, "test", "support", "ssh", "cmdShim.py"), path.join(dir, "cmdShim.py"));
    fs.chmodSync(path.join(dir, "cmdShim.py"), 0o755);
    // The wrapper reads the environment file at each start, so a test can point %windir% at its
    // own scratch folder. NO_COLOR: pwsh 7 would put ANSI colour codes in error records (Windows
    // PowerShell 5.1 does not); no telemetry or update check (nothing may reach the network); the
    // tests' temp folder (where the Microsoft.Web.Administration double's commit guards go: see
    // mwa/commitGuard.ts); no .NET diagnostics pipes there (a pwsh killed with its session could
    // not remove them).
    const environmentFile = path.join(dir, "powershell.env");
    const writeEnvironment = (windir: string) =>
        fs.writeFileSync(environmentFile, `export windir='${windir}' SystemRoot='${windir}' TMPDIR='${os.tmpdir()}' NO_COLOR=1 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_EnableDiagnostics=0\n`);
    writeEnvironment(path.join(dir, "Windows"));
    // The test run's reporter counts PowerShell processes through this file.
    const countFile = process.env[PROCESS_COUNT_FILE_VARIABLE];
    const count = countFile === undefined || countFile === "" ? "" : `printf 1 >> '${countFile}'\n`;
    // pwsh 7 takes Windows PowerShell's options (-NoProfile, -NonInteractive, -ExecutionPolicy,
    // -InputFormat None, -Command, -EncodedCommand) as they are.
    fs.writeFileSync(
        path.join(bin, "powershell.exe"),
        `#!/bin/sh\ncd '${home}' || exit 1\n. '${environmentFile}'\n${count}` +
            `if [ "$(id -u)" = 0 ]; then exec setpriv --bounding-set -dac_override,-dac_read_search '${pwsh}' "$@"; fi\nexec '${pwsh}' "$@"\n`,
        { mode: 0o755 },
    );
    const port = await closedPort();
    const username = os.userInfo().username;
    const config = [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${path.join(dir, "host_ed25519")}`,
        `PidFile ${path.join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication yes",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        `ForceCommand ${path.join(dir, "cmdShim.py")}`,
        "AllowTcpForwarding yes",
        "PermitTTY yes",
        "MaxSessions 20",
        "LogLevel VERBOSE",
        ...(options.config ?? []),
    ];
    fs.writeFileSync(path.join(dir, "sshd_config"), config.join("\n") + "\n");
    if (process.getuid?.() === 0) fs.mkdirSync("/run/sshd", { recursive: true });
    const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
    const started = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s:\n${log}`)), 10_000);
        const check = () => {
            if (log.includes("Server listening")) {
                clearTimeout(timer);
                resolve();
            }
        };
        child.stderr?.on("data", check);
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`sshd exited with ${code}:\n${log}`));
        });
    });
    try {
        await started;
    } catch (error) {
        if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGKILL");
            await exited;
        }
        throw error;
    }
    return {
        port,
        username,
        hostKey,
        privateKey,
        encryptedKey,
        passphrase,
        strangerKey,
        setWindir: (windir: string) => {
            if (/'/.test(windir)) throw new Error(`a windir with a quote is not supported here: ${windir}`);
            writeEnvironment(windir);
        },
        log: () => log,
        stop: async () => {
            if (child.exitCode === null) {
                const exited = new Promise((resolve) => child.once("exit", resolve));
                child.kill("SIGTERM");
                await exited;
            }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
