/**
 * `npm run demo`: runs examples/local through Pulumi's real dynamic-provider host, as `pulumi up`
 * would, on a scratch copy of the example's applicationHost.config: a preview, an apply, and a
 * second preview that finds nothing to do. It prints what `pulumi preview` would list.
 */
import * as fs from "fs";
import * as path from "path";
import { runProgram, StackState, Step } from "./mockEngine";
import { ProviderHost } from "./providerHost";

const projectRoot = path.resolve(__dirname, "..", "..", "..");
const exampleDir = path.join(projectRoot, "examples", "local");
const workDir = path.join(exampleDir, ".demo");

function show(value: unknown): string {
    return value === undefined ? "(unset)" : JSON.stringify(value);
}

function print(title: string, steps: Step[]): void {
    console.log(`\n${title}`);
    for (const step of steps) {
        const mark = { create: "+", update: "~", replace: "+-", same: " ", delete: "-", import: "=", skipped: "x" }[step.kind];
        console.log(`  ${mark} ${step.type.split(":").pop()} ${step.name}: ${step.kind}`);
        if (step.kind === "create") {
            for (const { property, to } of step.changedInputs) {
                if (property !== "target") console.log(`      + ${property}: ${show(to)}`);
            }
        } else {
            for (const { property, from, to } of step.changedInputs) console.log(`      ~ ${property}: ${show(from)} => ${show(to)}`);
            if (step.kind === "update" && step.changedInputs.length === 0) console.log("      (the live server differs from the program: drift)");
        }
    }
    const counts = steps.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.kind]: (acc[s.kind] ?? 0) + 1 }), {});
    console.log(`  Resources: ${Object.entries(counts).map(([kind, n]) => kind === "same" ? `${n} unchanged` : `${n} to ${kind}`).join(", ")}`);
}

async function main(): Promise<void> {
    fs.mkdirSync(workDir, { recursive: true });
    const file = path.join(workDir, "applicationHost.config");
    fs.copyFileSync(path.join(exampleDir, "applicationHost.config"), file);
    const original = fs.readFileSync(file);
    const host = await ProviderHost.start({ cwd: projectRoot });
    try {
        await host.configure();
        const state: StackState = {};
        const run = (mode: "preview" | "up") => runProgram({
            host, state, mode, program: path.join(projectRoot, "dist", "examples", "local", "index.js"),
            // As examples/local's Pulumi.yaml asks (options: refresh: always): drift shows per attribute.
            project: "iis-asp-session-local", stack: "demo", config: { applicationHostPath: file }, refresh: true,
        });
        console.log(`Working on a copy of examples/local/applicationHost.config: ${path.relative(projectRoot, file)}`);
        print("Previewing update (demo):", await run("preview"));
        print("Updating (demo):", await run("up"));
        for (const [name, resource] of Object.entries(state)) {
            console.log(`    ${name}: effective ${JSON.stringify(resource.outputs.effective)}`);
        }
        print("Previewing update again (demo): nothing to do", await run("preview"));
        // Someone changes the shop's timeout by hand (IIS Manager would write the same bytes).
        const edited = fs.readFileSync(file, "utf8").replace('<session max="1000" timeout="00:10:00" />', '<session max="1000" timeout="00:45:00" />');
        fs.writeFileSync(file, edited);
        print("After a hand edit of the shop's timeout to 00:45:00, previewing again: the drift shows", await run("preview"));
        print("Updating (demo): puts the program's value back", await run("up"));
        const changedLines = diffLines(original.toString("utf8"), fs.readFileSync(file, "utf8"));
        console.log(`\napplicationHost.config now differs from the sample in ${changedLines.length} lines (all else byte-identical):`);
        for (const line of changedLines) console.log(`  ${line}`);
    } finally {
        await host.stop();
    }
}

/** Lines added to `after` (the editor only inserts and edits in place), for showing the change. */
function diffLines(before: string, after: string): string[] {
    const old = new Set(before.split(/\r?\n/));
    return after.split(/\r?\n/).filter((line) => !old.has(line)).map((line) => `+ ${line}`);
}

main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
