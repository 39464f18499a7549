/**
 * The acceptance suite's target, from environment variables only (the contract
 * .github/workflows/windows.yml and run.ts both follow):
 *   ASP_SESSION_ACCEPTANCE_TARGET       JSON of the target without secrets: {"kind":"winrm",...},
 *                                       {"kind":"ssh",...} or {"kind":"file"} (the file is CONFIG_PATH)
 *   ASP_SESSION_ACCEPTANCE_PASSWORD     WinRM password (optional with auth kerberos/negotiate: the ticket cache)
 *   ASP_SESSION_ACCEPTANCE_CA_CERTIFICATE_FILE  PEM the https listener's certificate chains to
 *   ASP_SESSION_ACCEPTANCE_PRIVATE_KEY_FILE     SSH private key
 *   ASP_SESSION_ACCEPTANCE_HOST_KEY     the SSH server's host key: "SHA256:..." or a key line (ssh-keyscan)
 *   ASP_SESSION_ACCEPTANCE_MODES        "xml,iis" (default) or one of them
 *   ASP_SESSION_ACCEPTANCE_CONFIG_PATH  the applicationHost.config IIS uses on that server
 *   ASP_SESSION_ACCEPTANCE_READER       "appcmd" (on the Windows server itself) or "mwa" (the
 *                                       Microsoft.Web.Administration double, beside CONFIG_PATH)
 *   ASP_SESSION_ACCEPTANCE_SITE         the site to work in (default "Default Web Site"); it has an
 *                                       application <site>/acceptance
 *   ASP_SESSION_ACCEPTANCE_FLEET_HOSTS  host spellings that reach the same server: the fleet's servers
 * The suite runs on the server it targets (or beside its files), so CONFIG_PATH is readable here.
 */
import { createHash } from "crypto";
import * as fs from "fs";

export type Mode = "xml" | "iis";
export type ReaderKind = "appcmd" | "mwa";

export interface AcceptanceEnvironment {
    /** What the suite's titles and messages call the target: "winrm https://localhost:5986". */
    name: string;
    /** The target as the SDK takes it, secrets included (never printed). */
    target: Record<string, unknown>;
    modes: Mode[];
    configPath: string;
    reader: ReaderKind;
    site: string;
    fleetHosts: string[];
    /** Environment variables the inventory names for secrets (passwordEnv). */
    passwordVariable: string;
}

const PREFIX = "ASP_SESSION_ACCEPTANCE_";

/** Every problem with the variables at once, or the environment. */
export function readAcceptanceEnvironment(env: NodeJS.ProcessEnv = process.env): AcceptanceEnvironment {
    const problems: string[] = [];
    const variable = (name: string): string | undefined => {
        const value = env[PREFIX + name];
        return value === undefined || value.trim() === "" ? undefined : value;
    };
    const required = (name: string, why: string): string => {
        const value = variable(name);
        if (value === undefined) problems.push(`${PREFIX}${name} is not set: ${why}`);
        return value ?? "";
    };
    const fileText = (name: string, why: string): string => {
        const file = required(name, why);
        if (file === "") return "";
        try {
            return fs.readFileSync(file, "utf8");
        } catch (error) {
            problems.push(`${PREFIX}${name}: cannot read ${file}: ${(error as Error).message}`);
            return "";
        }
    };

    let declared: Record<string, unknown> = {};
    const targetText = required("TARGET", 'the target as JSON, e.g. {"kind":"winrm","host":"localhost","port":5985,"username":"acceptance"}');
    if (targetText !== "") {
        try {
            const parsed: unknown = JSON.parse(targetText);
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
            declared = parsed as Record<string, unknown>;
        } catch (error) {
            problems.push(`${PREFIX}TARGET is not a JSON object: ${(error as Error).message}`);
        }
    }
    for (const secret of ["password", "privateKey", "passphrase", "clientKey"]) {
        if (declared[secret] !== undefined) problems.push(`${PREFIX}TARGET holds ${secret}: secrets go in their own variables (${PREFIX}PASSWORD, ${PREFIX}PRIVATE_KEY_FILE)`);
    }
    const configPath = required("CONFIG_PATH", "the applicationHost.config IIS uses on the server");
    const target: Record<string, unknown> = { ...declared };
    let name = String(declared.kind);
    switch (declared.kind) {
        case "winrm":
            // Kerberos may log in from the ticket cache (KRB5CCNAME) instead of a password.
            if (declared.auth === "kerberos" || declared.auth === "negotiate") {
                const password = variable("PASSWORD");
                if (password !== undefined) target.password = password;
            } else {
                target.password = required("PASSWORD", "the WinRM account's password");
            }
            if (declared.https === true) target.caCertificate = fileText("CA_CERTIFICATE_FILE", "the PEM the https listener's certificate chains to");
            name = `winrm ${declared.https === true ? "https" : "http"}://${String(declared.host)}:${String(declared.port ?? "")}${declared.auth === undefined ? "" : ` (${String(declared.auth)})`}`;
            break;
        case "ssh":
            target.privateKey = fileText("PRIVATE_KEY_FILE", "the SSH private key");
            target.hostKey = hostKeyFingerprint(required("HOST_KEY", "the SSH server's host key (SHA256:... or an ssh-keyscan line)"), problems);
            name = `ssh ${String(declared.host)}:${String(declared.port ?? 22)}`;
            break;
        case "file":
            target.path = configPath;
            name = "file";
            break;
        default:
            if (targetText !== "") problems.push(`${PREFIX}TARGET: kind must be "winrm", "ssh" or "file", got ${JSON.stringify(declared.kind)}`);
    }

    const modes = (variable("MODES") ?? "xml,iis").split(",").map((mode) => mode.trim());
    for (const mode of modes) if (mode !== "xml" && mode !== "iis") problems.push(`${PREFIX}MODES: "${mode}" is not xml or iis`);
    if (declared.kind === "file" && modes.includes("iis")) problems.push(`${PREFIX}MODES: a file target has no mode iis (nothing runs PowerShell)`);
    const reader = variable("READER") ?? "";
    if (reader !== "appcmd" && reader !== "mwa") problems.push(`${PREFIX}READER must be appcmd (on Windows) or mwa (the test double), got ${JSON.stringify(reader)}`);
    const fleetHosts = (variable("FLEET_HOSTS") ?? String(declared.host ?? "")).split(",").map((host) => host.trim()).filter((host) => host !== "");
    if (declared.kind !== "file" && fleetHosts.length === 0) problems.push(`${PREFIX}FLEET_HOSTS: no host to build the fleet from`);

    if (problems.length > 0) throw new Error(`the acceptance target is not set up:\n  ${problems.join("\n  ")}`);
    return {
        name,
        target,
        modes: modes as Mode[],
        configPath,
        reader: reader as ReaderKind,
        site: variable("SITE") ?? "Default Web Site",
        fleetHosts,
        passwordVariable: `${PREFIX}PASSWORD`,
    };
}

/** "SHA256:<base64>" as given, or computed from a key line ("[host] type base64 [comment]"). */
function hostKeyFingerprint(text: string, problems: string[]): string {
    const trimmed = text.trim();
    if (trimmed.startsWith("SHA256:")) return trimmed;
    const blob = trimmed.split(/\s+/).find((part) => /^AAAA[A-Za-z0-9+/]+={0,2}$/.test(part));
    if (blob === undefined) {
        problems.push(`${PREFIX}HOST_KEY is neither SHA256:... nor a key line with a base64 key`);
        return "";
    }
    return `SHA256:${createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "")}`;
}
