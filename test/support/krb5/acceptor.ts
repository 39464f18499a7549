/**
 * The Node end of acceptor.py: one python3-gssapi process per test server, holding the security
 * contexts of its connections and doing their encryption, so the client's GSSAPI code is checked
 * against an implementation that shares none of it.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as path from "path";
import { createInterface } from "readline";
import { projectRoot } from "../paths";

export const PYTHON_GSSAPI_HINT = "install with: apt-get install -y python3-gssapi (or pip install gssapi)";

/** The scheme a client used: Negotiate (SPNEGO) or Kerberos. */
export type KerberosScheme = "Negotiate" | "Kerberos";

export interface AcceptResult {
    /** The token for the client (the server's last leg on completion), if any. */
    readonly token: Buffer | undefined;
    readonly complete: boolean;
    /** The client principal once complete. */
    readonly user: string | undefined;
    /** The client delegated a ticket (GSS_C_DELEG_FLAG with a forwardable TGT). */
    readonly delegated: boolean;
}

export interface KerberosAcceptor {
    accept(connection: number, scheme: KerberosScheme, token: Buffer, channelBindings: Buffer | undefined): Promise<AcceptResult>;
    /** The plaintext of an encrypted body; rejects when the body or its integrity is bad. */
    decrypt(connection: number, body: Buffer): Promise<Buffer>;
    encrypt(connection: number, plaintext: Buffer): Promise<{ body: Buffer; contentType: string }>;
    forget(connection: number): void;
    close(): Promise<void>;
}

/** Debian's python3 first (where apt puts python3-gssapi), then python3 on PATH: the first that can import gssapi. */
export function findPythonGssapi(): string | undefined {
    return ["/usr/bin/python3", "python3"].find((python) => spawnSync(python, ["-c", "import gssapi.raw.ext_dce"]).status === 0);
}

/** Starts the acceptor with `keytab` (KRB5_KTNAME) and the realm's client configuration. */
export async function startKerberosAcceptor(keytab: string, environment: Readonly<Record<string, string>>): Promise<KerberosAcceptor> {
    const python = findPythonGssapi();
    if (python === undefined) throw new Error(`no python3 can import gssapi: ${PYTHON_GSSAPI_HINT}`);
    const child: ChildProcess = spawn(python, [path.join(projectRoot, "test", "support", "krb5", "acceptor.py")], {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ASP_SESSION_TEST_RUN: process.env.ASP_SESSION_TEST_RUN ?? "", ...environment, KRB5_KTNAME: `FILE:${keytab}` },
        stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const pending = new Map<number, { resolve: (answer: Record<string, unknown>) => void; reject: (error: Error) => void }>();
    let nextId = 1;
    let exited = false;
    let closing = false;
    const lines = createInterface({ input: child.stdout! });
    let ready: (() => void) | undefined;
    const readyPromise = new Promise<void>((resolve, reject) => {
        ready = resolve;
        child.once("exit", (code) => reject(new Error(`acceptor.py exited ${code} before it was ready: ${stderr.trim()}`)));
    });
    lines.on("line", (line) => {
        const answer = JSON.parse(line) as Record<string, unknown>;
        if (answer.ready === true) {
            ready?.();
            return;
        }
        const waiter = pending.get(answer.id as number);
        pending.delete(answer.id as number);
        waiter?.resolve(answer);
    });
    child.once("exit", (code) => {
        exited = true;
        for (const waiter of pending.values()) waiter.reject(new Error(`acceptor.py exited ${code}: ${stderr.trim()}`));
        pending.clear();
    });
    await readyPromise;

    const call = (op: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> =>
        new Promise((resolve, reject) => {
            if (exited || closing) {
                reject(new Error(`acceptor.py is not running: ${stderr.trim()}`));
                return;
            }
            const id = nextId++;
            pending.set(id, {
                resolve: (answer) => (answer.ok === true ? resolve(answer) : reject(new Error(String(answer.error)))),
                reject,
            });
            child.stdin!.write(`${JSON.stringify({ id, op, ...fields })}\n`);
        });
    const b64 = (bytes: Buffer | undefined) => (bytes === undefined ? null : bytes.toString("base64"));

    return {
        accept: async (connection, scheme, token, channelBindings) => {
            const answer = await call("accept", { conn: connection, scheme, token: b64(token), bindings: b64(channelBindings) });
            return {
                token: typeof answer.token === "string" ? Buffer.from(answer.token, "base64") : undefined,
                complete: answer.complete === true,
                user: typeof answer.user === "string" ? answer.user : undefined,
                delegated: answer.delegated === true,
            };
        },
        decrypt: async (connection, body) => Buffer.from((await call("decrypt", { conn: connection, body: b64(body) })).plaintext as string, "base64"),
        encrypt: async (connection, plaintext) => {
            const answer = await call("encrypt", { conn: connection, plaintext: b64(plaintext) });
            return { body: Buffer.from(answer.body as string, "base64"), contentType: answer.contentType as string };
        },
        forget: (connection) => {
            if (!exited && !closing) call("forget", { conn: connection }).catch(() => undefined);
        },
        close: async () => {
            closing = true;
            if (exited) return;
            const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
            child.stdin!.end();
            const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
            await gone;
            clearTimeout(killer);
        },
    };
}
