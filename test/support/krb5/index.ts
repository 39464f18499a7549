/**
 * Kerberos for the tests: a throwaway MIT realm on loopback (realm.ts) and an acceptor written with
 * python3-gssapi (acceptor.ts), with the check that skips (or, under CI=true, fails) when the
 * machine lacks them.
 */
import type * as Mocha from "mocha";
import { findPythonGssapi, PYTHON_GSSAPI_HINT } from "./acceptor";
import { krb5RealmUnavailable } from "./realm";

export { findPythonGssapi, startKerberosAcceptor, type KerberosAcceptor, type KerberosScheme } from "./acceptor";
export { startKrb5Realm, type Krb5Realm, type Krb5RealmOptions } from "./realm";

const underCi = process.env.CI === "true";
let skipAnnounced = false;

/** Why Kerberos tests cannot run here, or undefined when they can. */
export function kerberosUnavailable(): string | undefined {
    const realm = krb5RealmUnavailable();
    if (realm !== undefined) return realm;
    if (findPythonGssapi() === undefined) return `no python3 can import gssapi: ${PYTHON_GSSAPI_HINT}`;
    try {
        require("../../../provider/carriers/winrm/gssapi/library").gssFunctions();
    } catch (error) {
        return (error as Error).message;
    }
    return undefined;
}

/** Skips the suite when Kerberos tests cannot run (saying how to install what is missing); under CI=true, fails instead. */
export function requireKerberos(context: Mocha.Context): void {
    const missing = kerberosUnavailable();
    if (missing === undefined) return;
    if (underCi) throw new Error(`CI=true but the Kerberos tests cannot run: ${missing}`);
    if (!skipAnnounced) {
        skipAnnounced = true;
        console.log(`\n  Skipping the Kerberos tests: ${missing}.\n`);
    }
    context.skip();
}

/** Sets KRB5_CONFIG/KRB5CCNAME (and the like) in this process, returning what puts them back. */
export function withEnvironment(variables: Readonly<Record<string, string | undefined>>): () => void {
    const before = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    for (const [name, value] of Object.entries(variables)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
    return () => {
        for (const [name, value] of Object.entries(before)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    };
}
