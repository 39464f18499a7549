/**
 * The provider through Pulumi's real dynamic-provider host over WinRM with Kerberos: a real MIT
 * krb5kdc on loopback, our WS-Management server accepting the context through python3-gssapi and
 * running the scripts in real PowerShell 7. Both modes, http (encrypted bodies) and https (channel
 * bindings), from the ticket cache and from a password.
 */
import * as assert from "assert";
import * as fs from "fs";
import { ProviderHost } from "../../examples/engine/providerHost";
import { parseApplicationHost } from "../../provider/apphost/document";
import { readSession } from "../../provider/apphost/sessionReader";
import { OWN_FIXTURE, scratchCopy, startHost, URN } from "../support/hostFixture";
import { requireKerberos, startKrb5Realm, withEnvironment, type Krb5Realm } from "../support/krb5";
import { requirePwsh } from "../support/pwsh";
import { startWsmanServer, type WsmanServer } from "../support/wsman";

function explicitAt(file: string, location: string) {
    return readSession(parseApplicationHost(fs.readFileSync(file), file), location, file).explicit;
}

describe("provider over WinRM with Kerberos, through the real provider host, a real KDC and our WS-Management server", function () {
    this.timeout(600_000);
    let realm: Krb5Realm;
    let host: ProviderHost;
    let providerText: string;
    let restoreEnvironment: (() => void) | undefined;
    const servers: WsmanServer[] = [];
    const folders: string[] = [];

    before(async function () {
        requireKerberos(this);
        requirePwsh(this);
        realm = await startKrb5Realm();
        const cache = realm.newCache("provider");
        await realm.kinit(cache);
        // The provider host inherits these: its GSSAPI reads the realm's krb5.conf and this cache.
        restoreEnvironment = withEnvironment({ ...realm.environment, KRB5CCNAME: cache });
        ({ host, providerText } = await startHost());
    });
    after(async () => {
        await host?.stop();
        for (const server of servers) await server.close();
        for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
        const log = host?.stderrText() ?? "";
        restoreEnvironment?.();
        if (realm !== undefined) assert.ok(!log.includes(realm.user.password), "the provider host logged the password");
        await realm?.close();
    });

    const cases = [
        { mode: "iis", https: false, auth: "negotiate", credentials: "ticket cache" },
        { mode: "xml", https: false, auth: "kerberos", credentials: "password" },
        { mode: "iis", https: true, auth: "kerberos", credentials: "password" },
        { mode: "xml", https: true, auth: "negotiate", credentials: "ticket cache" },
    ] as const;
    for (const { mode, https, auth, credentials } of cases) {
        it(`mode "${mode}" over ${https ? "https (channel bindings)" : "http (encrypted bodies)"}, auth ${auth} from the ${credentials}: creates, sees drift, updates, deletes`, async () => {
            const { dir, file } = scratchCopy(OWN_FIXTURE);
            folders.push(dir);
            const server = await startWsmanServer({
                users: [],
                applicationHostPath: file,
                https,
                auth: ["kerberos"],
                kerberos: { keytab: realm.serviceKeytab, environment: realm.environment },
            });
            servers.push(server);
            const target = {
                kind: "winrm",
                host: "localhost",
                port: server.port,
                https,
                ...(https ? { caCertificate: server.certificatePem } : {}),
                auth,
                ...(credentials === "password" ? { username: realm.user.principal, password: realm.user.password } : {}),
                mode,
                timeoutSeconds: 60,
                ...(mode === "xml" ? { configPath: file, platform: "linux" } : {}),
            };
            const inputs = (extra: Record<string, unknown>) => ({ __provider: providerText, location: "Default Web Site", onDelete: "restore", target, ...extra });
            const checked = await host.check(URN, {}, inputs({ timeout: "0:15", max: 500 }));
            assert.deepStrictEqual(checked.failures, []);
            const created = await host.create(URN, checked.inputs);
            assert.deepStrictEqual(explicitAt(file, "Default Web Site"), { max: 500, timeout: "00:15:00" });
            assert.strictEqual((await host.diff(created.id, URN, created.properties, checked.inputs)).changes, "none");

            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('timeout="00:15:00"', 'timeout="00:50:00"'));
            assert.strictEqual((await host.diff(created.id, URN, created.properties, checked.inputs)).changes, "some", "drift on the server must show");
            const refreshed = await host.read(created.id, URN, created.properties);
            const next = (await host.check(URN, checked.inputs, inputs({ timeout: 25, max: 500 }))).inputs;
            const updated = await host.update(created.id, URN, refreshed.properties, next);
            assert.strictEqual(explicitAt(file, "Default Web Site").timeout, "00:25:00");

            await host.delete(created.id, URN, updated.properties);
            assert.deepStrictEqual(explicitAt(file, "Default Web Site"), {});
            assert.strictEqual(server.stats.kerberosHandshakes, 1, "one context for the whole lifecycle (the pooled connection)");
            assert.strictEqual(server.stats.authenticationFailures, 0);
        });
    }
});
