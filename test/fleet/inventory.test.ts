/**
 * loadInventory: YAML and JSON inventories, paths relative to the file, credentials only from the
 * environment, and every problem refused with its line and field.
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
        assert.deepStrictEqual(missing.map((p) => [p.line, p.field]), [[7, "servers[1].target.passwordEnv"], [7, "servers[1].target.password"]]);
        assert.match(missing[1].reason, /is required with username for auth "negotiate" \(give both, or neither to use the ticket cache\): give passwordEnv/);
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
        assert.match(at(13, "servers[2].target.password")?.reason ?? "", /is required with auth "ntlm": give passwordEnv/);
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
});
