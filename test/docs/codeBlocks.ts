/**
 * The fenced code blocks of README.md and docs/*.md, and what makes each kind true: its
 * info-string says what is done with it (docs/testing.md, "The documentation's code blocks").
 * A block that compiles, runs, parses or loads as its kind says passes; anything else is an
 * Error naming the document's line.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as tls from "tls";
import * as ts from "typescript";
import { parse as parseYaml } from "yaml";
import { loadInventory } from "../../sdk/fleet/inventory";
import { projectRoot } from "../support/paths";
import { scratchDir } from "../support/scratch";

export interface CodeBlock {
    /** The document, relative to the project root. */
    file: string;
    /** 1-based line of the opening fence. */
    line: number;
    /** The whole info-string: "ts", "sh pulumi", "yaml fleet.yaml". */
    info: string;
    body: string;
}

/** Shell blocks that are not run here, by the word after `sh`, and why (syntax is still checked). */
export const SHELL_NOT_RUN: Readonly<Record<string, string>> = {
    pulumi: "needs the Pulumi CLI and a stack, which cannot be installed on our build machines",
    install: "installs into a user's program from the npm registry or a tarball",
    repository: "this repository's own set-up and suite, which CI runs itself",
    "windows-server": "needs a Windows server with IIS",
};

/** Values for the `pulumi config` keys the docs' programs read: dummies the provider's check accepts. */
export const DOCS_CONFIG: Readonly<Record<string, string>> = {
    winrmPassword: "dummy-password",
    corpCaPem: tls.rootCertificates[0],
    sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\ndummy\n-----END OPENSSH PRIVATE KEY-----\n",
    sshPassphrase: "dummy-passphrase",
};

const YAML_FILE = /^[\w.-]+\.ya?ml$/;

/** Why `info` is not an info-string the test knows, or undefined when it is. */
export function infoProblem(info: string): string | undefined {
    const [language, attribute, ...rest] = info.split(/\s+/).filter((word) => word !== "");
    const known = ["ts", "sh", "powershell", "yaml", "json", "text"];
    const allowed = `one of ${known.join(", ")}; sh ${Object.keys(SHELL_NOT_RUN).join(" | ")}; yaml <file>.yaml`;
    if (language === undefined) return `a code block needs an info-string (${allowed})`;
    if (!known.includes(language) || rest.length > 0) return `unknown info-string ${JSON.stringify(info)} (${allowed})`;
    if (attribute === undefined) return undefined;
    if (language === "sh" && attribute in SHELL_NOT_RUN) return undefined;
    if (language === "yaml" && YAML_FILE.test(attribute)) return undefined;
    return `unknown info-string ${JSON.stringify(info)} (${allowed})`;
}

/** The fenced blocks of a Markdown document, in order. An unclosed fence is an error. */
export function codeBlocks(file: string, markdown: string): CodeBlock[] {
    const blocks: CodeBlock[] = [];
    const lines = markdown.split("\n");
    for (let index = 0; index < lines.length; index++) {
        const opening = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(lines[index]);
        if (!opening) continue;
        const [, indent, fence, info] = opening;
        const body: string[] = [];
        let end = index + 1;
        const closing = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
        while (end < lines.length && !closing.test(lines[end])) body.push(lines[end++].replace(new RegExp(`^ {0,${indent.length}}`), ""));
        if (end === lines.length) throw new Error(`${file}:${index + 1}: the code block opened here is never closed`);
        blocks.push({ file, line: index + 1, info: info.trim(), body: body.join("\n") + "\n" });
        index = end;
    }
    return blocks;
}

/** README.md and every docs/*.md, relative to the project root. */
export function documents(): string[] {
    return ["README.md", ...fs.readdirSync(path.join(projectRoot, "docs")).filter((name) => name.endsWith(".md")).sort().map((name) => `docs/${name}`)];
}

function where(block: CodeBlock, offset = 0): string {
    return `${block.file}:${block.line + 1 + offset}`;
}

/** The variables an inventory's `*Env` fields name, set to dummy values. */
function inventoryEnvironment(blocks: readonly CodeBlock[]): Record<string, string> {
    const environment: Record<string, string> = {};
    const visit = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(visit);
        else if (typeof value === "object" && value !== null) {
            for (const [key, inner] of Object.entries(value)) {
                if (/Env$/.test(key) && typeof inner === "string") environment[inner] = `dummy-${inner.toLowerCase()}`;
                else visit(inner);
            }
        }
    };
    for (const block of blocks) if (block.info.startsWith("yaml")) visit(parseYamlOrUndefined(block.body));
    return environment;
}

function parseYamlOrUndefined(text: string): unknown {
    try {
        return parseYaml(text);
    } catch {
        return undefined;
    }
}

/**
 * One document's blocks in a scratch folder laid out as a user's program: the named files, the
 * package and @pulumi/pulumi in node_modules, the `iis-asp-session` command on PATH, and every
 * TypeScript block compiled (once, together) against the compiled SDK.
 */
export class DocumentWorkspace {
    readonly folder: string;
    private readonly environment: NodeJS.ProcessEnv;
    private readonly diagnostics = new Map<CodeBlock, string[]>();

    constructor(private readonly blocks: readonly CodeBlock[]) {
        this.folder = scratchDir("docs-blocks-");
        const modules = path.join(this.folder, "node_modules");
        fs.mkdirSync(path.join(modules, ".bin"), { recursive: true });
        fs.symlinkSync(path.join(projectRoot, "node_modules", "@pulumi"), path.join(modules, "@pulumi"));
        fs.symlinkSync(path.join(projectRoot, "node_modules", "@types"), path.join(modules, "@types"));
        fs.symlinkSync(projectRoot, path.join(modules, "pulumi-iis-asp-session"));
        // What npm makes for the package's "bin" entry.
        const command = path.join(modules, ".bin", "iis-asp-session");
        fs.writeFileSync(command, `#!/bin/sh\nexec node ${JSON.stringify(path.join(projectRoot, "dist", "cli", "main.js"))} "$@"\n`, { mode: 0o755 });
        for (const block of blocks) {
            const name = block.info.split(/\s+/)[1];
            if (block.info.startsWith("yaml ") && name !== undefined) fs.writeFileSync(path.join(this.folder, name), block.body);
        }
        this.environment = {
            ...process.env,
            ...inventoryEnvironment(blocks),
            DOCS_BLOCK_CONFIG: JSON.stringify(DOCS_CONFIG),
            PATH: `${path.join(modules, ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
            NO_COLOR: "1",
        };
        this.compile();
    }

    private sourceName(block: CodeBlock): string {
        return `block-${block.line}.ts`;
    }

    private compile(): void {
        const scripts = this.blocks.filter((block) => block.info === "ts");
        if (scripts.length === 0) return;
        for (const block of scripts) fs.writeFileSync(path.join(this.folder, this.sourceName(block)), block.body);
        // The project's own compiler options, with the package name mapped to the compiled SDK.
        const tsconfig = {
            extends: path.join(projectRoot, "tsconfig.json"),
            compilerOptions: {
                rootDir: ".",
                outDir: "out",
                baseUrl: ".",
                paths: { "pulumi-iis-asp-session": [path.relative(this.folder, path.join(projectRoot, "dist", "sdk"))] },
                types: ["node"],
                typeRoots: [path.join(projectRoot, "node_modules", "@types")],
                declaration: false,
                sourceMap: false,
            },
            include: ["*.ts"],
        };
        const configFile = path.join(this.folder, "tsconfig.json");
        fs.writeFileSync(configFile, JSON.stringify(tsconfig, null, 2));
        const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configFile, ts.sys.readFile).config, ts.sys, this.folder, undefined, configFile);
        const program = ts.createProgram(parsed.fileNames, parsed.options);
        const emitted = program.emit();
        const byFile = new Map(scripts.map((block) => [path.join(this.folder, this.sourceName(block)), block]));
        for (const block of scripts) this.diagnostics.set(block, []);
        for (const diagnostic of [...parsed.errors, ...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]) {
            const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
            const block = diagnostic.file ? byFile.get(path.resolve(diagnostic.file.fileName)) : undefined;
            if (block === undefined || diagnostic.start === undefined) {
                for (const each of scripts) this.diagnostics.get(each)!.push(text);
                continue;
            }
            const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
            this.diagnostics.get(block)!.push(`${where(block, line)}: TS${diagnostic.code}: ${text}`);
        }
    }

    /** Checks one block as its info-string says; throws an Error naming the line when it fails. Returns a note for the test's title (what was checked, or why it was not run). */
    verify(block: CodeBlock): string | undefined {
        const problem = infoProblem(block.info);
        if (problem !== undefined) throw new Error(`${where(block, -1)}: ${problem}`);
        const [language, attribute] = block.info.split(/\s+/);
        switch (language) {
            case "ts":
                return this.verifyTypeScript(block);
            case "sh":
                return this.verifyShell(block, attribute);
            case "powershell":
                return verifyPowerShell(block);
            case "yaml":
                return this.verifyYaml(block, attribute);
            case "json":
                try {
                    JSON.parse(block.body);
                } catch (error) {
                    throw new Error(`${where(block, -1)}: not JSON: ${(error as Error).message}`);
                }
                return undefined;
            default:
                return "output, not something to run";
        }
    }

    private verifyTypeScript(block: CodeBlock): string {
        const diagnostics = this.diagnostics.get(block) ?? [];
        if (diagnostics.length > 0) throw new Error(`does not compile against the package:\n${diagnostics.join("\n")}`);
        const program = path.join(this.folder, "out", this.sourceName(block).replace(/\.ts$/, ".js"));
        const run = spawnSync(process.execPath, [path.join(__dirname, "blockRunner.js"), program], { cwd: this.folder, env: this.environment, encoding: "utf8", timeout: 120_000 });
        const line = run.stdout.trim().split("\n").pop() ?? "";
        let outcome: { resources: Array<{ name: string; failures: Array<{ reason: string }> }>; error?: string };
        try {
            outcome = JSON.parse(line);
        } catch {
            throw new Error(`${where(block, -1)}: the block's program did not finish (status ${run.status}): ${run.stderr.slice(-2000)}`);
        }
        const refused = outcome.resources.filter((resource) => resource.failures.length > 0)
            .map((resource) => `AspSessionSettings "${resource.name}": ${resource.failures.map((failure) => failure.reason).join("; ")}`);
        if (outcome.error !== undefined) refused.unshift(`the program failed: ${outcome.error}`);
        // A program that declared nothing would pass unchecked.
        if (/new AspSession(Settings|Fleet)\(/.test(block.body) && outcome.resources.length === 0) refused.push("declares AspSessionSettings, but none reached the provider's check");
        if (refused.length > 0) throw new Error(`${where(block, -1)}: ${refused.join("\n")}`);
        return `compiled; ${outcome.resources.length} AspSessionSettings passed the provider's check`;
    }

    private verifyShell(block: CodeBlock, kind: string | undefined): string | undefined {
        const syntax = spawnSync("bash", ["-n"], { input: block.body, encoding: "utf8" });
        if (syntax.status !== 0) throw new Error(`${where(block, -1)}: not valid shell: ${syntax.stderr.trim()}`);
        if (kind !== undefined) return `syntax only: ${SHELL_NOT_RUN[kind]}`;
        const run = spawnSync("bash", ["-euo", "pipefail", "-c", block.body], { cwd: this.folder, env: this.environment, encoding: "utf8", timeout: 120_000 });
        if (run.status !== 0) throw new Error(`${where(block, -1)}: exited with status ${run.status ?? run.signal}:\n${run.stdout.slice(-2000)}${run.stderr.slice(-2000)}`);
        return undefined;
    }

    private verifyYaml(block: CodeBlock, name: string | undefined): undefined {
        if (name === "Pulumi.yaml") {
            const project = parseYamlOrUndefined(block.body) as Record<string, unknown> | undefined;
            if (typeof project?.name !== "string" || project.runtime === undefined) throw new Error(`${where(block, -1)}: a Pulumi.yaml needs name and runtime`);
            return undefined;
        }
        const file = path.join(this.folder, name ?? `inventory-${block.line}.yaml`);
        if (name === undefined) fs.writeFileSync(file, block.body);
        try {
            loadInventory(file, inventoryEnvironment([block]));
        } catch (error) {
            throw new Error(`${where(block, -1)}: the inventory does not load: ${(error as Error).message}`);
        }
        return undefined;
    }
}

/** PowerShell's own parser, when pwsh is on PATH; only Windows can run these blocks. */
function verifyPowerShell(block: CodeBlock): string | undefined {
    const script = "$errors = $null; [void][System.Management.Automation.Language.Parser]::ParseInput([Console]::In.ReadToEnd(), [ref]$null, [ref]$errors); " +
        "$errors | ForEach-Object { 'line ' + $_.Extent.StartLineNumber + ': ' + $_.Message }";
    const parsed = spawnSync("pwsh", ["-NoProfile", "-NonInteractive", "-Command", script], { input: block.body, encoding: "utf8", timeout: 60_000 });
    if (parsed.error !== undefined) {
        if (process.env.CI === "true") throw new Error(`pwsh is needed to parse PowerShell blocks: ${parsed.error.message}`);
        return "pwsh is not on PATH: not parsed (under CI=true this fails)";
    }
    const errors = parsed.stdout.trim();
    if (parsed.status !== 0 || errors !== "") {
        const mapped = errors.replace(/^line (\d+)/gm, (_, line: string) => `${block.file}:${block.line + Number(line)}`);
        throw new Error(`${where(block, -1)}: PowerShell does not parse it:\n${mapped}${parsed.stderr}`);
    }
    return "parsed only: it sets up a Windows server";
}
