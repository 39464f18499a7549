/**
 * examples/winrm reaches every option of a WinRM target from `pulumi config`: the program runs
 * under setMocks with every key set, and the target it registers carries each one.
 */
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { unwrapSecrets } from "../../examples/engine/mockEngine";
import { WINRM_FIELDS } from "../../provider/targets/winrm";
import { projectRoot } from "../support/paths";

const PROGRAM = path.join(projectRoot, "dist", "examples", "winrm", "index.js");
const PROJECT = "iis-asp-session-winrm";
/** The fields of a WinRM target, from its declaration (provider/targets/winrm.ts). */
const TARGET_OPTIONS = Object.keys(WINRM_FIELDS);

async function registeredTarget(config: Record<string, string>): Promise<Record<string, unknown>> {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    await pulumi.runtime.setMocks({
        newResource(args) {
            registered.push(args);
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call(args) {
            return args.inputs;
        },
    }, PROJECT, "test", false);
    // Only this call's keys: config set by an earlier test would otherwise linger.
    pulumi.runtime.setAllConfig({});
    for (const [key, value] of Object.entries(config)) pulumi.runtime.setConfig(`${PROJECT}:${key}`, value);
    delete require.cache[require.resolve(PROGRAM)];
    require(PROGRAM);
    for (let i = 0; i < 50 && registered.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.strictEqual(registered.length, 1);
    return unwrapSecrets(registered[0].inputs.target) as Record<string, unknown>;
}

describe("examples/winrm: every target option comes from pulumi config", function () {
    it("passes each key to the target (auth ntlm, https, mode xml)", async function () {
        const target = await registeredTarget({
            host: "web01.corp.example", port: "5986", https: "true", caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            insecureSkipVerify: "false", auth: "ntlm", username: "CORP\\deploy", password: "pw", mode: "xml", platform: "windows",
            configPath: "D:\\iis\\applicationHost.config", timeoutSeconds: "30", connectTimeoutSeconds: "5", handshakeTimeoutSeconds: "20",
        });
        const otherAuths = ["clientCertificate", "clientKey", "spn", "delegate"];
        assert.deepStrictEqual(TARGET_OPTIONS.filter((option) => !(option in target) && !otherAuths.includes(option)), []);
        assert.deepStrictEqual(target, {
            kind: "winrm", host: "web01.corp.example", port: 5986, https: true, caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            insecureSkipVerify: false, auth: "ntlm", username: "CORP\\deploy", password: "pw", mode: "xml", platform: "windows",
            configPath: "D:\\iis\\applicationHost.config", timeoutSeconds: 30, connectTimeoutSeconds: 5, handshakeTimeoutSeconds: 20,
        });
    });

    it("passes a client certificate and key with auth certificate", async function () {
        const target = await registeredTarget({ host: "web01", https: "true", auth: "certificate", clientCertificate: "CERT", clientKey: "KEY" });
        assert.strictEqual(target.clientCertificate, "CERT");
        assert.strictEqual(target.clientKey, "KEY");
        assert.strictEqual(target.auth, "certificate");
        assert.strictEqual(target.password, undefined);
    });

    it("passes spn and delegate with auth kerberos or negotiate, and leaves username and password out for the ticket cache", async function () {
        const withPassword = await registeredTarget({ host: "web01", auth: "negotiate", username: "deploy@CORP.EXAMPLE", password: "pw", spn: "HTTP/web01.corp.example", delegate: "true" });
        assert.deepStrictEqual(
            { auth: withPassword.auth, username: withPassword.username, password: withPassword.password, spn: withPassword.spn, delegate: withPassword.delegate },
            { auth: "negotiate", username: "deploy@CORP.EXAMPLE", password: "pw", spn: "HTTP/web01.corp.example", delegate: true },
        );
        const fromCache = await registeredTarget({ host: "web01", auth: "kerberos" });
        assert.strictEqual(fromCache.auth, "kerberos");
        assert.strictEqual(fromCache.username, undefined);
        assert.strictEqual(fromCache.password, undefined);
    });
});
