/**
 * A throwaway MIT Kerberos realm for the tests: a krb5kdc on a free loopback port, its database,
 * configuration, keytab and ticket caches all in one scratch folder, reached only through
 * KRB5_CONFIG / KRB5_KDC_PROFILE / KRB5CCNAME given to the programs that need them, so the
 * system's /etc/krb5.conf and any real realm are never read or touched. No root needed.
 */
import { execFile, spawn, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { promisify } from "util";
import { scratchDir } from "../scratch";

const run = promisify(execFile);

export const KRB5_INSTALL_HINT = "install with: apt-get install -y krb5-kdc krb5-admin-server krb5-user (dnf install krb5-server krb5-workstation)";

/** Where Debian and Fedora put the server programs; the client programs are on PATH. */
const SBIN = ["/usr/sbin", "/usr/local/sbin", "/sbin"];

export interface Krb5RealmOptions {
    /** Default "WSMAN.TEST". */
    readonly realm?: string;
    /** Service principals to create, with a keytab holding all of them. Default ["HTTP/localhost"]. */
    readonly services?: readonly string[];
    /** The enctypes the KDC issues. Default aes256-cts-hmac-sha1-96 (what an AD domain issues by default). */
    readonly enctypes?: readonly string[];
}

export interface Krb5Realm {
    readonly realm: string;
    /** 127.0.0.1 port of the KDC (TCP; clients are told to use TCP only). */
    readonly port: number;
    readonly folder: string;
    /** The client configuration: set KRB5_CONFIG to it. */
    readonly krb5Conf: string;
    /** The keytab with every service principal's key, for the acceptor (KRB5_KTNAME). */
    readonly serviceKeytab: string;
    /** The user principal ("user@REALM") and its password (random; never logged). */
    readonly user: { readonly principal: string; readonly name: string; readonly password: string };
    /** The variables a client or acceptor needs (KRB5_CONFIG, and a trace file when KRB5_TRACE_TESTS is set). */
    readonly environment: Readonly<Record<string, string>>;
    /** A new, empty ticket cache path in the realm's folder ("FILE:..."). */
    newCache(label: string): string;
    /** `kinit` the user into `cache`; `lifetime` as kinit's -l (e.g. "5s"); `forwardable` asks for a ticket that may be delegated (-f). */
    kinit(cache: string, options?: { readonly lifetime?: string; readonly password?: string; readonly principal?: string; readonly forwardable?: boolean }): Promise<void>;
    /** A keytab with the user's current key (its password unchanged), as `kinit -k` or KRB5_CLIENT_KTNAME use. */
    clientKeytab(label: string): Promise<string>;
    /** Adds a principal (random key when no password). */
    addPrincipal(principal: string, password?: string): Promise<void>;
    /** Stops the KDC (it stays stopped until startKdc). */
    stopKdc(): Promise<void>;
    startKdc(): Promise<void>;
    /** Stops the KDC and removes the folder. */
    close(): Promise<void>;
}

/** The path of `program`, or undefined when it is not installed. */
export function findKrb5Program(program: string): string | undefined {
    const dirs = [...SBIN, ...(process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir !== "")];
    return dirs.map((dir) => path.join(dir, program)).find((candidate) => fs.existsSync(candidate));
}

/** Why no realm can be started here (a missing program), or undefined when one can. */
export function krb5RealmUnavailable(): string | undefined {
    const missing = ["krb5kdc", "kdb5_util", "kadmin.local", "kinit"].filter((program) => findKrb5Program(program) === undefined);
    return missing.length === 0 ? undefined : `MIT Kerberos programs missing (${missing.join(", ")}): ${KRB5_INSTALL_HINT}`;
}

export async function startKrb5Realm(options: Krb5RealmOptions = {}): Promise<Krb5Realm> {
    const unavailable = krb5RealmUnavailable();
    if (unavailable !== undefined) throw new Error(unavailable);
    const realm = options.realm ?? "WSMAN.TEST";
    const services = options.services ?? ["HTTP/localhost"];
    const enctypes = (options.enctypes ?? ["aes256-cts-hmac-sha1-96"]).join(" ");
    const folder = scratchDir("krb5-realm-");
    const port = await freeLoopbackPort();
    const file = (name: string) => path.join(folder, name);
    const kdcConf = file("kdc.conf");
    const krb5Conf = file("krb5.conf");
    const serviceKeytab = file("service.keytab");

    fs.writeFileSync(
        kdcConf,
        [
            "[kdcdefaults]",
            `  kdc_listen = 127.0.0.1:${port}`,
            `  kdc_tcp_listen = 127.0.0.1:${port}`,
            "[realms]",
            `  ${realm} = {`,
            `    database_name = ${file("principal")}`,
            `    key_stash_file = ${file("stash")}`,
            `    acl_file = ${file("kadm5.acl")}`,
            `    kdc_listen = 127.0.0.1:${port}`,
            `    kdc_tcp_listen = 127.0.0.1:${port}`,
            "    max_life = 10h",
            "    max_renewable_life = 1d",
            `    supported_enctypes = ${options.enctypes?.map((enctype) => `${enctype}:normal`).join(" ") ?? "aes256-cts-hmac-sha1-96:normal"}`,
            "  }",
            "[logging]",
            `  kdc = FILE:${file("kdc.log")}`,
            `  admin_server = FILE:${file("kadmin.log")}`,
            "",
        ].join("\n"),
    );
    fs.writeFileSync(file("kadm5.acl"), "");
    fs.writeFileSync(
        krb5Conf,
        [
            "[libdefaults]",
            `  default_realm = ${realm}`,
            "  dns_lookup_kdc = false",
            "  dns_lookup_realm = false",
            "  dns_canonicalize_hostname = false",
            "  rdns = false",
            // TCP only: one port to find free, and no UDP retries when the KDC is stopped on purpose.
            "  udp_preference_limit = 1",
            `  default_tkt_enctypes = ${enctypes}`,
            `  default_tgs_enctypes = ${enctypes}`,
            `  permitted_enctypes = ${enctypes}`,
            // Keeps a client that finds no KRB5CCNAME away from /tmp/krb5cc_<uid>.
            `  default_ccache_name = FILE:${file("default-ccache")}`,
            `  default_keytab_name = FILE:${file("default.keytab")}`,
            `  default_client_keytab_name = FILE:${file("default-client.keytab")}`,
            "  max_retries = 1",
            "[realms]",
            `  ${realm} = {`,
            `    kdc = 127.0.0.1:${port}`,
            "  }",
            "[domain_realm]",
            `  localhost = ${realm}`,
            `  .localhost = ${realm}`,
            "",
        ].join("\n"),
    );
    const environment: Record<string, string> = { KRB5_CONFIG: krb5Conf };
    if (process.env.KRB5_TRACE_TESTS !== undefined) environment.KRB5_TRACE = file("trace.log");
    const serverEnvironment = { PATH: process.env.PATH ?? "/usr/bin:/bin", KRB5_CONFIG: krb5Conf, KRB5_KDC_PROFILE: kdcConf };
    const program = (name: string) => findKrb5Program(name) as string;
    const admin = async (query: string) => {
        await run(program("kadmin.local"), ["-r", realm, "-q", query], { env: serverEnvironment });
    };

    let kdc: ChildProcess | undefined;
    const startKdc = async (): Promise<void> => {
        if (kdc !== undefined) return;
        const started = spawn(program("krb5kdc"), ["-n", "-r", realm, "-P", file("kdc.pid")], { env: serverEnvironment, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        started.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        kdc = started;
        const deadline = Date.now() + 10_000;
        while (!(await accepts(port))) {
            if (started.exitCode !== null || Date.now() > deadline) {
                kdc = undefined;
                started.kill("SIGKILL");
                throw new Error(`krb5kdc did not start on 127.0.0.1:${port}: ${stderr.trim() || "no output"}; log: ${readOr(file("kdc.log"))}`);
            }
            await delay(50);
        }
    };
    const stopKdc = async (): Promise<void> => {
        const running = kdc;
        kdc = undefined;
        if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
        running.kill("SIGTERM");
        // krb5kdc takes up to 2 s to notice SIGTERM (it wakes from its event loop once a second or so).
        const killed = setTimeout(() => running.kill("SIGKILL"), 4_000);
        await exited;
        clearTimeout(killed);
    };

    try {
        await run(program("kdb5_util"), ["create", "-s", "-r", realm, "-P", randomBytes(18).toString("base64")], { env: serverEnvironment });
        const password = randomBytes(15).toString("base64url");
        const userName = "deploy";
        // Preauthentication required, as Active Directory does by default.
        await admin(`addprinc +requires_preauth -pw ${password} ${userName}`);
        for (const service of services) {
            await admin(`addprinc -randkey ${service}`);
            await admin(`ktadd -k ${serviceKeytab} ${service}`);
        }
        await startKdc();

        const kinit = async (cache: string, kinitOptions: { lifetime?: string; password?: string; principal?: string; forwardable?: boolean } = {}): Promise<void> => {
            const args = ["-c", cache, kinitOptions.forwardable === true ? "-f" : "-F"];
            if (kinitOptions.lifetime !== undefined) args.push("-l", kinitOptions.lifetime);
            args.push(kinitOptions.principal ?? `${userName}@${realm}`);
            await new Promise<void>((resolve, reject) => {
                const child = spawn(program("kinit"), args, { env: { ...serverEnvironment, ...environment }, stdio: ["pipe", "ignore", "pipe"] });
                let stderr = "";
                child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
                child.once("error", reject);
                child.stdin?.on("error", () => undefined); // kinit may exit before reading the password
                child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`kinit ${args.join(" ")} exited ${code}: ${stderr.trim()}`))));
                child.stdin?.end(`${kinitOptions.password ?? password}\n`);
            });
        };
        let caches = 0;
        return {
            realm,
            port,
            folder,
            krb5Conf,
            serviceKeytab,
            user: { principal: `${userName}@${realm}`, name: userName, password },
            environment,
            newCache: (label) => `FILE:${file(`ccache-${label}-${++caches}`)}`,
            kinit,
            clientKeytab: async (label) => {
                const keytab = file(`client-${label}.keytab`);
                await admin(`ktadd -k ${keytab} -norandkey ${userName}`);
                return keytab;
            },
            addPrincipal: (principal, principalPassword) => admin(principalPassword === undefined ? `addprinc -randkey ${principal}` : `addprinc -pw ${principalPassword} ${principal}`),
            stopKdc,
            startKdc,
            close: async () => {
                await stopKdc();
                fs.rmSync(folder, { recursive: true, force: true });
            },
        };
    } catch (error) {
        await stopKdc();
        fs.rmSync(folder, { recursive: true, force: true });
        throw error;
    }
}

async function freeLoopbackPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

function accepts(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1");
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

function delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function readOr(file: string): string {
    try {
        return fs.readFileSync(file, "utf8").trim().split("\n").slice(-5).join(" | ");
    } catch {
        return "(none)";
    }
}
