/** The "ssh" target: a Windows server reached over SSH (Windows OpenSSH), optionally through a jump host. */
import { isUnknown } from "../settings/inputs";
import { flag, group, hostName, port, sha256Fingerprint, text, type Rule, type TargetKind, type TargetValues } from "./declaration";
import { SERVER_FIELDS, SERVER_RULES } from "./windows";

/** One SSH server and the credentials for it: the target's own, and the jump host's. */
const ENDPOINT_FIELDS = {
    /** SSH port (default 22). */
    port: port({ connection: true, default: 22 }),
    /** The account to log in as. */
    username: text({ required: true, connection: true }),
    /** PEM or OpenSSH private key (pass a Pulumi secret). */
    privateKey: text({ secret: true, connection: true }),
    /** Passphrase of an encrypted privateKey (pass a Pulumi secret). */
    passphrase: text({ secret: true, connection: true }),
    /** The account's password (pass a Pulumi secret). */
    password: text({ secret: true, connection: true }),
    /** Authenticate with the SSH agent at $SSH_AUTH_SOCK of the process running Pulumi. */
    agent: flag({ connection: true }),
    /**
     * The server's host key fingerprint, "SHA256:..." as `ssh-keygen -lf` prints it. Pinned: a
     * server offering a different key, or any key when this is not set, is refused before a
     * credential is sent (the message names the key it offered).
     */
    hostKey: sha256Fingerprint({ connection: true }),
};

export const SSH_PROXY_FIELDS = {
    /** Host name or IP address of the jump host. */
    host: hostName({ required: true, connection: true }),
    ...ENDPOINT_FIELDS,
};

export const SSH_FIELDS = {
    /** Host name or IP address of the server (as the jump host sees it, with proxy). Changing it replaces the resource. */
    host: hostName({ required: true, identity: true, connection: true }),
    ...ENDPOINT_FIELDS,
    /** A jump host (bastion) the connection is tunnelled through, as `ssh -J`: its own host, port, username, credentials and hostKey. */
    proxy: group(SSH_PROXY_FIELDS, { connection: true }),
    ...SERVER_FIELDS,
};

/** Rules about one endpoint's credentials, for the target (`prefix` "") and the jump host ("proxy."). */
function credentialRules(prefix: "" | "proxy."): Rule[] {
    const read = (values: Readonly<Record<string, unknown>>, name: string): unknown =>
        prefix === "" ? values[name] : (values.proxy as Record<string, unknown> | undefined)?.[name];
    const applies = (values: Readonly<Record<string, unknown>>) => prefix === "" || values.proxy !== undefined;
    return [
        {
            reads: prefix === "" ? ["privateKey", "password", "agent"] : ["proxy"],
            check: (values) =>
                applies(values) && read(values, "privateKey") === undefined && read(values, "password") === undefined && read(values, "agent") !== true
                    ? { field: `${prefix}privateKey`, reason: "is required, or password, or agent: true (one way to authenticate)" }
                    : undefined,
        },
        {
            reads: prefix === "" ? ["privateKey"] : ["proxy"],
            check: (values) =>
                applies(values) && read(values, "passphrase") !== undefined && read(values, "privateKey") === undefined
                    ? { field: `${prefix}passphrase`, reason: "only applies with privateKey" }
                    : undefined,
        },
        {
            reads: prefix === "" ? ["privateKey"] : ["proxy"],
            check: (values) => {
                const key = read(values, "privateKey");
                return applies(values) && typeof key === "string" && !isUnknown(key) && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)
                    ? { field: `${prefix}privateKey`, reason: "must be a PEM or OpenSSH private key (-----BEGIN ... PRIVATE KEY-----)" }
                    : undefined;
            },
        },
    ];
}

export const SSH_RULES: readonly Rule[] = [...credentialRules(""), ...credentialRules("proxy."), ...SERVER_RULES];

export const SSH_KIND: TargetKind<"ssh", typeof SSH_FIELDS> = { kind: "ssh", fields: SSH_FIELDS, rules: SSH_RULES };

export type SshTarget = TargetValues<"ssh", typeof SSH_FIELDS>;
