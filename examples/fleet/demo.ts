/**
 * `npm run demo:fleet`: examples/fleet through Pulumi's real dynamic-provider host (as `pulumi up`
 * would run it), on eight scratch servers (local applicationHost.config files) with a local HTTP
 * health endpoint: a preview, a rollout that a failing health gate stops, the fix, the resumed
 * rollout, and then the drift audit after someone edits a server by hand.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { DeploymentFailedError, runProgram, StackState, Step } from "../engine/mockEngine";
import { ProviderHost } from "../engine/providerHost";

const projectRoot = path.resolve(__dirname, "..", "..", "..");
const workDir = path.join(projectRoot, "examples", "fleet", ".demo");
const SERVERS = ["web01", "web02", "web03", "web04", "web05", "web06", "web07", "web08"];
const MARK: Record<Step["kind"], string> = { create: "+", update: "~", replace: "+-", same: " ", delete: "-", import: "=", skipped: "x" };

function print(title: string, steps: Step[]): void {
    console.log(`\n${title}`);
    for (const step of steps) {
        const kind = step.type.split(":").pop();
        const note = step.kind === "skipped" ? ` (${step.error})` : step.error ? `: FAILED` : "";
        console.log(`  ${MARK[step.kind].padEnd(2)} ${kind} ${step.name}: ${step.kind}${note}`);
    }
    const counts = steps.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.kind]: (acc[s.kind] ?? 0) + 1 }), {});
    console.log(`  Resources: ${Object.entries(counts).map(([kind, n]) => (kind === "same" ? `${n} unchanged` : kind === "skipped" ? `${n} not started` : `${n} to ${kind}`)).join(", ")}`);
}

async function main(): Promise<void> {
    fs.rmSync(workDir, { recursive: true, force: true });
    const sample = path.join(projectRoot, "examples", "local", "applicationHost.config");
    for (const name of SERVERS) {
        fs.mkdirSync(path.join(workDir, name), { recursive: true });
        fs.copyFileSync(sample, path.join(workDir, name, "applicationHost.config"));
    }
    // The shop's health endpoint on every server, played by one local HTTP server: /<name>.
    const unhealthy = new Set(["web03"]);
    const health = http.createServer((request, response) => {
        response.statusCode = unhealthy.has((request.url ?? "").slice(1)) ? 503 : 200;
        response.end();
    });
    await new Promise<void>((resolve) => health.listen(0, "127.0.0.1", resolve));
    const port = (health.address() as AddressInfo).port;
    const inventory = path.join(workDir, "fleet.yaml");
    fs.writeFileSync(inventory, [
        "location: Default Web Site/shop",
        `settings: { timeout: "00:10:00", max: 2000 }`,
        "rollout:",
        "  canary: 1",
        `  batchSize: "25%"`,
        `  healthCheck: { url: "http://127.0.0.1:${port}/{name}", timeoutSeconds: 2, retries: 2, intervalSeconds: 0.2 }`,
        "servers:",
        ...SERVERS.flatMap((name) => [`  - name: ${name}`, `    target: { kind: file, path: ./${name}/applicationHost.config }`]),
    ].join("\n") + "\n");
    console.log(`Eight servers as local files under ${path.relative(projectRoot, workDir)}; inventory ${path.relative(projectRoot, inventory)}.`);
    console.log(`Batches: canary web01, then 25% of the other seven (2) at a time; web03's health endpoint answers 503.`);

    const host = await ProviderHost.start({ cwd: projectRoot });
    try {
        await host.configure();
        const state: StackState = {};
        const run = (mode: "preview" | "up") => runProgram({
            host, state, mode, program: path.join(projectRoot, "dist", "examples", "fleet", "index.js"),
            project: "iis-asp-session-fleet", stack: "demo", config: { inventory },
        });
        print("Previewing update (demo): every server of every batch would change", await run("preview"));
        try {
            await run("up");
            throw new Error("the rollout was expected to stop at web03's health check");
        } catch (error) {
            if (!(error instanceof DeploymentFailedError)) throw error;
            print("Updating (demo): the health gate after batch 2 stops the rollout", error.steps);
            console.log(`\n  error: ${error.message.replace(/\n/g, "\n  ")}`);
        }
        unhealthy.clear();
        console.log("\nweb03 is fixed (its health endpoint answers 200 again).");
        print("Updating (demo): the resumed rollout; servers already done do nothing", await run("up"));
        print("Previewing update again (demo): nothing to do", await run("preview"));

        const web05 = path.join(workDir, "web05", "applicationHost.config");
        fs.writeFileSync(web05, fs.readFileSync(web05, "utf8").replace('timeout="00:10:00"', 'timeout="00:45:00"'));
        console.log("\nSomeone sets web05's timeout to 00:45:00 by hand. The drift audit (npx iis-asp-session drift fleet.yaml):\n");
        try {
            process.stdout.write(execFileSync(process.execPath, [path.join(projectRoot, "dist", "cli", "main.js"), "drift", inventory], { encoding: "utf8" }));
        } catch (error) {
            const failed = error as { status: number; stdout: string };
            process.stdout.write(failed.stdout);
            console.log(`\n(exit status ${failed.status}: ${failed.status === 2 ? "drift, no errors" : "errors"})`);
        }
    } finally {
        await host.stop();
        health.close();
    }
}

main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
