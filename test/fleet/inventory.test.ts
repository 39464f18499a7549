/**
 * loadInventory: YAML and JSON inventories, paths relative to the file, credentials only from the
 * environment (one rule for every secret field), and every problem refused with its line and
 * field, once.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { InventoryError, loadInventory } from "../../sdk";
import { scratchDir } from "../support/scratch";

function inventoryFile(text: string, name = "fleet.yaml"): string {
    const dir = scratchDir("asp-inventory-");
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
}

function problems(file: string, environment: NodeJS.ProcessEnv = {}): InventoryError["problems"] {
    try {
        loadInventory(file, environment);
    } catch (error) {
        if (error instanceof InventoryError) return error.problems;
        throw error;
    }
    return assert.fail("the inventory was accepted");
}

describe("loadInventory", function () {
    it("reads the issue's example: relative file paths from the inventory's folder, the password from the named variable", function () {
        const file = inventoryFile([
            "location: Default Web Site/shop        # or locations: [...]",
            `settings: { timeout: "00:10:00", max: 2000 }`,
            "servers:",
            "  - name: web01",
            "    target: { kind: file, path: ./web01/applicationHost.config }   # relative to this file",
            "  - name: web02",
            `    target: { kind: winrm, host: web02.corp.example, username: "CORP\\\\deploy", passwordEnv: WINRM_PASSWORD }`,
        ].join("\n"));
        const inventory = loadInventory(file, { WINRM_PASSWORD: "s3cret" });
        assert.deepStrictEqual(inventory.locations, ["Default Web Site/shop"]);
        assert.deepStrictEqual(inventory.settings, { timeout: "00:10:00", max: 2000, onDelete: "restore" });
        assert.deepStrictEqual(inventory.servers, [
            { name: "web01", target: { kind: "file", path: path.join(path.dirname(file), "web01", "applicationHost.config") } },
            { name: "web02", target: { kind: "winrm", host: "web02.corp.example", username: "CORP\\deploy", password: "s3cret" } },
        ]);
    });

    it("accepts Kerberos targets: the ticket cache (no credentials at all), or a password from passwordEnv", function () {
        const file = inventoryFile([
            "location: Default Web Site/shop",
            "settings: { max: 100 }",
            "servers:",
            "  - name: web01",
            "    target: { kind: winrm, host: web01.corp.example, auth: kerberos }",
            "  - name: web02",
            "    target: { kind: winrm, host: web02.corp.example, auth: negotiate, https: true, username: deploy@CORP.EXAMPLE, passwordEnv: DEPLOY_PASSWORD, spn: HTTP/web02.corp.example, delegate: true }",
        ].join("\n"));
        const inventory = loadInventory(file, { DEPLOY_PASSWORD: "s3cret" });
        assert.deepStrictEqual(inventory.servers, [
            { name: "web01", target: { kind: "winrm", host: "web01.corp.example", auth: "kerberos" } },
            {
                name: "web02",
                target: { kind: "winrm", host: "web02.corp.example", auth: "negotiate", https: true, username: "deploy@CORP.EXAMPLE", password: "s3cret", spn: "HTTP/web02.corp.example", delegate: true },
            },
        ]);
        const missing = problems(file, {});
        // One line naming the unset variable and the server; no follow-on "password is required".
        assert.deepStrictEqual(missing.map((p) => [p.line, p.field]), [[7, "servers[1].target.passwordEnv"]]);
        assert.match(missing[0].reason, /DEPLOY_PASSWORD/);
        assert.ok(!JSON.stringify(missing).includes("s3cret"));
    });

    it("reads JSON too, with several locations normalised and a timeout in minutes", function () {
        const file = inventoryFile(JSON.stringify({
            locations: ["", "/Default Web Site/shop/"], settings: { timeout: 15, allowSessionState: true },
            rollout: { canary: 2, batchSize: 10 },
            servers: [{ name: "a", target: { kind: "file", path: "/srv/a.config" } }, { name: "b", target: { kind: "file", path: "/srv/b.config" } }],
        }, null, 2), "fleet.json");
        const inventory = loadInventory(file, {});
        assert.deepStrictEqual(inventory.locations, ["", "Default Web Site/shop"]);
        assert.deepStrictEqual(inventory.settings, { allowSessionState: true, timeout: "00:15:00", onDelete: "restore" });
        assert.deepStrictEqual(inventory.rollout, { canary: 2, batchSize: 10 });
    });

    it("refuses every problem at once, each with its line and field, and quotes no secret", function () {
        const file = inventoryFile([
            "location: Default Web Site/shop",        // 1
            "settings:",                              // 2
            "  timeout: 00:10:00",                    // 3 (YAML reads this as a sexagesimal number... or a string; either way checked)
            "  max: -1",                              // 4
            "  colour: blue",                         // 5
            "rollout: { batchSize: 0% }",             // 6
            "servers:",                               // 7
            "  - name: web01",                        // 8
            "    target: { kind: ftp, path: x }",     // 9
            "  - name: web 02",                       // 10
            "    target: { kind: winrm, host: h2, username: u, password: swordfish }", // 11
            "  - name: web03",                        // 12
            "    target: { kind: winrm, host: h3, username: u }", // 13
        ].join("\n"));
        const found = problems(file);
        const at = (line: number, field: string) => found.find((p) => p.line === line && p.field === field);
        assert.match(at(4, "settings.max")?.reason ?? "", /max must be a whole number from 0 to 4294967295/);
        assert.match(at(5, "settings.colour")?.reason ?? "", /is not a session setting/);
        assert.match(at(6, "rollout.batchSize")?.reason ?? "", /got "0%"/);
        assert.match(at(9, "servers[0].target.kind")?.reason ?? "", /must be one of "file", "winrm", "ssh", got "ftp"/);
        assert.match(at(10, "servers[1].name")?.reason ?? "", /letters, digits/);
        assert.match(at(11, "servers[1].target.password")?.reason ?? "", /passwordEnv/);
        assert.match(at(13, "servers[2].target.passwordEnv")?.reason ?? "", /passwordEnv is required with auth "ntlm"/);
        assert.ok(!JSON.stringify(found).includes("swordfish"));
        assert.deepStrictEqual(found.map((p) => p.line), [...found.map((p) => p.line)].sort((a, b) => (a ?? 0) - (b ?? 0)), "problems in file order");
    });

    it("a YAML syntax error, a duplicate key, and a missing file are refused with where", function () {
        assert.match(problems(inventoryFile("servers: [\n  { name: a\n"))[0].reason, /not valid YAML/);
        const duplicate = problems(inventoryFile("location: a\nlocation: b\nsettings: { max: 1 }\nservers: []\n"));
        assert.deepStrictEqual(duplicate.map((p) => p.line), [2]);
        assert.match(duplicate[0].reason, /Map keys must be unique/);
        assert.match(problems("/nonexistent/fleet.yaml")[0].reason, /cannot read the inventory: ENOENT/);
    });

    const INLINE = /^secrets are not written in the inventory: give (\w+Env), the name of the environment variable that holds it$/;
    const SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

    it("clientKeyEnv fills clientKey: of a certificate target, only its (bogus) certificate is refused", function () {
        const file = inventoryFile("settings: { max: 10 }\nservers:\n  - name: cert1\n    target: { kind: winrm, host: h2, https: true, auth: certificate, clientCertificate: CERT, clientKeyEnv: CLIENT_KEY }\n");
        assert.deepStrictEqual(problems(file, { CLIENT_KEY: "client-key-pem" }).map((p) => p.field), ["servers[0].target.clientCertificate"]);
        assert.deepStrictEqual(problems(file, {}).map((p) => p.field), ["servers[0].target.clientKeyEnv", "servers[0].target.clientCertificate"]);
    });

    it("fills each secret field from its variable (a jump host's too), and keeps no ...Env field", function () {
        const file = inventoryFile([
            "settings: { max: 10 }",
            "servers:",
            "  - name: ssh1",
            "    target: { kind: ssh, host: h1, username: deploy, privateKeyEnv: KEY, passphraseEnv: PHRASE, proxy: { host: jump, username: hop, passwordEnv: HOP_PASSWORD } }",
            "  - name: ssh2",
            "    target: { kind: ssh, host: h2, username: deploy, agent: true }",
        ].join("\n"));
        const inventory = loadInventory(file, { KEY: SSH_KEY, PHRASE: "open sesame", HOP_PASSWORD: "hop-secret" });
        assert.deepStrictEqual(inventory.servers.map((server) => server.target), [
            { kind: "ssh", host: "h1", username: "deploy", privateKey: SSH_KEY, passphrase: "open sesame", proxy: { host: "jump", username: "hop", password: "hop-secret" } },
            { kind: "ssh", host: "h2", username: "deploy", agent: true },
        ]);
    });

    it("refuses every secret written inline with one message shape, quoting none, and nothing else about them", function () {
        const file = inventoryFile([
            "settings: { max: 10 }",                                                                                          // 1
            "servers:",                                                                                                       // 2
            "  - name: w1",                                                                                                   // 3
            "    target: { kind: winrm, host: h1, username: u, password: pw-inline }",                                        // 4
            "  - name: w2",                                                                                                   // 5
            "    target: { kind: winrm, host: h2, https: true, auth: certificate, clientCertificate: CERT, clientKey: ck-inline }", // 6
            "  - name: s1",                                                                                                   // 7
            `    target: { kind: ssh, host: h3, username: u, privateKey: ${JSON.stringify(SSH_KEY)}, passphrase: pp-inline }`, // 8
            "  - name: s2",                                                                                                   // 9
            "    target: { kind: ssh, host: h4, username: u, agent: true, proxy: { host: j, username: u, privateKey: jk-inline } }", // 10
        ].join("\n"));
        const found = problems(file).filter((p) => p.field !== "servers[1].target.clientCertificate");
        assert.deepStrictEqual(found.map((p) => [p.line, p.field, INLINE.exec(p.reason)?.[1]]), [
            [4, "servers[0].target.password", "passwordEnv"],
            [6, "servers[1].target.clientKey", "clientKeyEnv"],
            [8, "servers[2].target.privateKey", "privateKeyEnv"],
            [8, "servers[2].target.passphrase", "passphraseEnv"],
            [10, "servers[3].target.proxy.privateKey", "privateKeyEnv"],
        ]);
        assert.ok(!/inline|OPENSSH/.test(JSON.stringify(problems(file))), "a secret was quoted back");
    });

    it("an unset (or empty) variable is one line naming the variable and the server, with no follow-on errors", function () {
        const file = inventoryFile([
            "settings: { max: 10 }",
            "servers:",
            "  - name: web01",
            "    target: { kind: winrm, host: h1, username: u, passwordEnv: WEB01_PASSWORD }",
            "  - name: ssh01",
            "    target: { kind: ssh, host: h2, username: u, privateKeyEnv: SSH01_KEY, passphraseEnv: SSH01_PHRASE }",
            "  - name: ssh02",
            "    target: { kind: ssh, host: h3, username: u, agent: true, proxy: { host: j, username: u, passwordEnv: JUMP_PASSWORD } }",
        ].join("\n"));
        const found = problems(file, { SSH01_PHRASE: "" });
        assert.deepStrictEqual(found.map((p) => `${p.line}: ${p.field}: ${p.reason}`), [
            `4: servers[0].target.passwordEnv: the environment variable WEB01_PASSWORD is not set (server "web01")`,
            `6: servers[1].target.privateKeyEnv: the environment variable SSH01_KEY is not set (server "ssh01")`,
            `6: servers[1].target.passphraseEnv: the environment variable SSH01_PHRASE is empty (server "ssh01")`,
            `8: servers[2].target.proxy.passwordEnv: the environment variable JUMP_PASSWORD is not set (server "ssh02")`,
        ]);
    });

    it("a secret that is simply missing is asked for by its variable", function () {
        const found = problems(inventoryFile("settings: { max: 1 }\nservers:\n  - name: a\n    target: { kind: ssh, host: h, username: u }\n"));
        assert.deepStrictEqual(found.map((p) => [p.line, p.field]), [[4, "servers[0].target.privateKeyEnv"]]);
        assert.match(found[0].reason, /privateKeyEnv is required, or passwordEnv, or agent: true/);
    });

    it("a misspelt top-level key: did you mean, at the key's line, its contents checked, and nothing said of the key it lacks", function () {
        const file = inventoryFile([
            "# the fleet",                                                      // 1
            "locaton: Default Web Site",                                        // 2
            "setting:",                                                         // 3
            "  max: 10",                                                        // 4
            "server:",                                                          // 5
            "  - name: web01",                                                  // 6
            "    target: { kind: winrm, host: h1, username: u, passwordEnv: WEB01_PASSWORD }", // 7
            "rolout:",                                                          // 8
            "  canary: 1",                                                      // 9
        ].join("\n"));
        const found = problems(file, { WEB01_PASSWORD: "x" });
        assert.deepStrictEqual(found.map((p) => `${p.line}: ${p.field}: ${p.reason}`), [
            "2: locaton: is not a fleet field: did you mean location? (fields: servers, location, locations, settings, rollout)",
            "3: setting: is not a fleet field: did you mean settings? (fields: servers, location, locations, settings, rollout)",
            "5: server: is not a fleet field: did you mean servers? (fields: servers, location, locations, settings, rollout)",
            "8: rolout: is not a fleet field: did you mean rollout? (fields: servers, location, locations, settings, rollout)",
        ]);
        // Under the misspelt key, its contents are still checked, named as the file writes them.
        const inner = problems(inventoryFile("settings: { max: 1 }\nserver:\n  - name: a\n    target: { kind: winrm, host: h1, username: u }\n"));
        assert.deepStrictEqual(inner.map((p) => [p.line, p.field]), [[2, "server"], [4, "server[0].target.passwordEnv"]]);
        // A key near nothing the file lacks is only unknown.
        const unknown = problems(inventoryFile("settings: { max: 1 }\nservers: []\ncolour: blue\n"));
        assert.ok(unknown.some((p) => p.line === 3 && p.field === "colour" && /^is not a fleet field \(fields:/.test(p.reason)), JSON.stringify(unknown));
    });
});
